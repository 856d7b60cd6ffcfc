/** A literal in a `$filter`, typed the way the OData ABNF spells it. */
export type Literal =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'datetime'; readonly value: string }
  | { readonly kind: 'guid'; readonly value: string };

/** A property path (`state`, `requestor/objectId`, inside a lambda `e/isResolved`), or a literal. */
export type Operand = { readonly kind: 'path'; readonly segments: readonly string[] } | Literal;

/** Comparison operators of OData's `$filter`. */
export type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';

/** A parsed `$filter` expression. */
export type FilterExpr =
  | { readonly kind: 'compare'; readonly op: Comparison; readonly left: Operand; readonly right: Operand }
  | { readonly kind: 'in'; readonly left: Operand; readonly values: readonly Literal[] }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Operand[] }
  | { readonly kind: 'not'; readonly expr: FilterExpr }
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpr; readonly right: FilterExpr }
  | {
      readonly kind: 'lambda';
      readonly path: readonly string[];
      readonly fn: 'any' | 'all';
      readonly variable: string;
      readonly body: FilterExpr | undefined;
    };

/** A `$filter` that is not valid OData; Graph answers such a filter 400. */
export class FilterSyntaxError extends Error {}

type Token =
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'word'; readonly v: string }
  | { readonly t: '(' | ')' | ',' | ':' }
  | { readonly t: 'end' };

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^-?\d+(\.\d+)?$/;
const COMPARISONS = new Set<string>(['eq', 'ne', 'gt', 'ge', 'lt', 'le']);

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')' || c === ',' || c === ':') {
      tokens.push({ t: c });
      i += 1;
    } else if (c === "'") {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= input.length) throw new FilterSyntaxError('unterminated string literal');
        const ch = input[i] ?? '';
        i += 1;
        if (ch !== "'") {
          value += ch;
        } else if (input[i] === "'") {
          value += "'";
          i += 1;
        } else {
          break;
        }
      }
      tokens.push({ t: 'str', v: value });
    } else if (/[A-Za-z0-9_$.+-]/.test(c)) {
      let j = i;
      while (j < input.length && /[A-Za-z0-9_$./:+-]/.test(input[j] ?? '')) {
        // A colon belongs to a datetime (12:00) but ends a lambda variable (e: …).
        if (input[j] === ':' && !/^\d/.test(input.slice(i, j).split('T').pop() ?? '')) break;
        j += 1;
      }
      tokens.push({ t: 'word', v: input.slice(i, j) });
      i = j;
    } else {
      throw new FilterSyntaxError(`character '${c}' at position ${i} is not valid here`);
    }
  }
  tokens.push({ t: 'end' });
  return tokens;
}

function literalOf(word: string): Literal | undefined {
  if (word === 'true' || word === 'false') return { kind: 'boolean', value: word === 'true' };
  if (word === 'null') return { kind: 'null' };
  if (DATETIME.test(word)) return { kind: 'datetime', value: word };
  if (GUID.test(word)) return { kind: 'guid', value: word };
  if (NUMBER.test(word)) return { kind: 'number', value: Number(word) };
  return undefined;
}

/**
 * Parses OData `$filter` text: comparisons, `in`, `not`, `and`/`or`, parentheses, function calls such as
 * `startswith(displayName,'A')`, and lambdas such as `serviceProvisioningErrors/any(e:e/isResolved eq false)`.
 */
export function parseFilter(input: string): FilterExpr {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { t: 'end' };
  const next = (): Token => tokens[pos++] ?? { t: 'end' };
  const isWord = (v: string): boolean => {
    const t = peek();
    return t.t === 'word' && t.v === v;
  };
  const expect = (t: Token['t']): void => {
    const got = next();
    if (got.t !== t) throw new FilterSyntaxError(`expected '${t}' but found '${'v' in got ? got.v : got.t}'`);
  };

  const operand = (): Operand => {
    const t = next();
    if (t.t === 'str') return { kind: 'string', value: t.v };
    if (t.t !== 'word') throw new FilterSyntaxError(`expected a property or a value, found '${t.t}'`);
    return literalOf(t.v) ?? { kind: 'path', segments: t.v.split('/') };
  };

  const primary = (): FilterExpr => {
    if (peek().t === '(') {
      next();
      const inner = or();
      expect(')');
      return inner;
    }
    const t = peek();
    if (t.t === 'word' && tokens[pos + 1]?.t === '(') {
      const segments = t.v.split('/');
      const last = segments[segments.length - 1] ?? '';
      next();
      next();
      if ((last === 'any' || last === 'all') && segments.length > 1) {
        if (peek().t === ')') {
          next();
          return { kind: 'lambda', path: segments.slice(0, -1), fn: last, variable: '', body: undefined };
        }
        const variable = next();
        if (variable.t !== 'word') throw new FilterSyntaxError('expected a lambda variable');
        expect(':');
        const body = or();
        expect(')');
        return { kind: 'lambda', path: segments.slice(0, -1), fn: last, variable: variable.v, body };
      }
      const args: Operand[] = [];
      while (peek().t !== ')') {
        args.push(operand());
        if (peek().t === ',') next();
        else if (peek().t !== ')') throw new FilterSyntaxError(`expected ',' or ')' in ${t.v}(…)`);
      }
      next();
      return { kind: 'call', name: t.v.toLowerCase(), args };
    }
    const left = operand();
    const op = next();
    if (op.t === 'word' && COMPARISONS.has(op.v)) {
      return { kind: 'compare', op: op.v as Comparison, left, right: operand() };
    }
    if (op.t === 'word' && op.v === 'in') {
      expect('(');
      const values: Literal[] = [];
      while (peek().t !== ')') {
        const v = operand();
        if (v.kind === 'path') throw new FilterSyntaxError('in (…) takes values only');
        values.push(v);
        if (peek().t === ',') next();
      }
      next();
      return { kind: 'in', left, values };
    }
    throw new FilterSyntaxError(`expected an operator after the operand, found '${'v' in op ? op.v : op.t}'`);
  };

  const unary = (): FilterExpr => {
    if (isWord('not')) {
      next();
      return { kind: 'not', expr: unary() };
    }
    return primary();
  };
  const and = (): FilterExpr => {
    let left = unary();
    while (isWord('and')) {
      next();
      left = { kind: 'and', left, right: unary() };
    }
    return left;
  };
  const or = (): FilterExpr => {
    let left = and();
    while (isWord('or')) {
      next();
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };

  const expr = or();
  if (peek().t !== 'end') throw new FilterSyntaxError('unexpected text after the end of the expression');
  return expr;
}

/** One use of a property in a filter: its path from the filtered type and the operator applied to it. */
export interface PropertyUse {
  readonly path: string;
  readonly operator: string;
}

/**
 * Every property a filter touches and how: `a eq 'x'` → a/eq; `not(a eq 'x')` adds a/not; a lambda adds
 * `path/any` and the uses inside it under the collection's path (`serviceProvisioningErrors/isResolved`).
 */
export function propertyUses(
  expr: FilterExpr,
  scope: ReadonlyMap<string, string> = new Map(),
): PropertyUse[] {
  const pathOf = (o: Operand): string | undefined => {
    if (o.kind !== 'path') return undefined;
    const [head, ...rest] = o.segments;
    const bound = head !== undefined ? scope.get(head) : undefined;
    return bound !== undefined ? [bound, ...rest].join('/') : o.segments.join('/');
  };
  switch (expr.kind) {
    case 'compare': {
      const path = pathOf(expr.left) ?? pathOf(expr.right);
      return path ? [{ path, operator: expr.op }] : [];
    }
    case 'in': {
      const path = pathOf(expr.left);
      return path ? [{ path, operator: 'in' }] : [];
    }
    case 'call':
      return expr.args.flatMap((a) => {
        const path = pathOf(a);
        return path ? [{ path, operator: expr.name }] : [];
      });
    case 'not':
      return propertyUses(expr.expr, scope).flatMap((u) => [u, { path: u.path, operator: 'not' }]);
    case 'and':
    case 'or':
      return [...propertyUses(expr.left, scope), ...propertyUses(expr.right, scope)];
    case 'lambda': {
      const path = expr.path.join('/');
      const inner = new Map(scope);
      inner.set(expr.variable, path);
      return [{ path, operator: expr.fn }, ...(expr.body ? propertyUses(expr.body, inner) : [])];
    }
  }
}
