import type { FilterExpr, Literal, Operand } from '../contract/odata-filter';

export { parseFilter, FilterSyntaxError, type FilterExpr } from '../contract/odata-filter';

function readPath(item: unknown, segments: readonly string[]): unknown {
  let cur: unknown = item;
  for (const part of segments) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Orders two ISO datetimes by epoch milliseconds, then by the fractional digits past the third. */
function compareInstants(a: string, b: string): number {
  const key = (iso: string): [number, number] => {
    const m = /\.(\d+)/.exec(iso);
    const digits = (m?.[1] ?? '').padEnd(7, '0');
    return [Date.parse(iso.replace(/\.\d+/, `.${digits.slice(0, 3)}`)), Number(digits.slice(3, 7))];
  };
  const [x, y] = [key(a), key(b)];
  return x[0] - y[0] || x[1] - y[1];
}

type Scope = ReadonlyMap<string, unknown>;

function valueOf(o: Operand, item: unknown, scope: Scope): unknown {
  if (o.kind !== 'path') return literalValue(o);
  const [head, ...rest] = o.segments;
  if (head !== undefined && scope.has(head)) return readPath(scope.get(head), rest);
  return readPath(item, o.segments);
}

function literalValue(l: Literal): unknown {
  return l.kind === 'null' ? null : l.value;
}

function compare(a: unknown, b: unknown, caseSensitive: boolean): number | undefined {
  if (typeof a === 'string' && typeof b === 'string') {
    if (/^\d{4}-\d{2}-\d{2}T/.test(a) && /^\d{4}-\d{2}-\d{2}T/.test(b)) return compareInstants(a, b);
    const [x, y] = caseSensitive ? [a, b] : [a.toLowerCase(), b.toLowerCase()];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' || typeof b === 'boolean' || a === null || b === null)
    return a === b ? 0 : undefined;
  return undefined;
}

/**
 * Evaluates a parsed `$filter` against a fake's item. String comparisons ignore case, as directory queries
 * do, unless the collection's page says its filters are case sensitive; datetimes compare with all seven
 * fractional digits Graph keeps.
 */
export function matchesFilter(
  expr: FilterExpr,
  item: unknown,
  caseSensitive = false,
  scope: Scope = new Map(),
): boolean {
  const m = (e: FilterExpr, s: Scope = scope) => matchesFilter(e, item, caseSensitive, s);
  switch (expr.kind) {
    case 'and':
      return m(expr.left) && m(expr.right);
    case 'or':
      return m(expr.left) || m(expr.right);
    case 'not':
      return !m(expr.expr);
    case 'compare': {
      const order = compare(valueOf(expr.left, item, scope), valueOf(expr.right, item, scope), caseSensitive);
      if (order === undefined) return expr.op === 'ne';
      return {
        eq: order === 0,
        ne: order !== 0,
        gt: order > 0,
        ge: order >= 0,
        lt: order < 0,
        le: order <= 0,
      }[expr.op];
    }
    case 'in': {
      const actual = valueOf(expr.left, item, scope);
      return expr.values.some((v) => compare(actual, literalValue(v), caseSensitive) === 0);
    }
    case 'call': {
      const [field, arg] = expr.args.map((a) => valueOf(a, item, scope));
      if (typeof field !== 'string' || typeof arg !== 'string') return false;
      const [f, a] = caseSensitive ? [field, arg] : [field.toLowerCase(), arg.toLowerCase()];
      if (expr.name === 'startswith') return f.startsWith(a);
      if (expr.name === 'endswith') return f.endsWith(a);
      if (expr.name === 'contains') return f.includes(a);
      return false;
    }
    case 'lambda': {
      const list = readPath(item, expr.path);
      if (!Array.isArray(list)) return false;
      const test = (el: unknown) => !expr.body || m(expr.body, new Map(scope).set(expr.variable, el));
      return expr.fn === 'any' ? list.some(test) : list.every(test);
    }
  }
}
