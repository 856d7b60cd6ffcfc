/** A parsed `$filter` expression: the small OData subset FakeGraph understands. */
export type FilterExpr =
  | { kind: 'eq'; field: string; value: string | boolean }
  | { kind: 'compare'; op: 'ge' | 'gt' | 'le' | 'lt'; field: string; value: string }
  | { kind: 'startswith'; field: string; value: string }
  | { kind: 'and' | 'or'; left: FilterExpr; right: FilterExpr };

/** What a collection accepts; anything else is rejected the way Graph rejects unsupported queries. */
export interface FilterCapabilities {
  eq: readonly string[];
  startswith: readonly string[];
  and: boolean;
  or: boolean;
  /** Properties that accept ge/gt/le/lt with an unquoted datetime literal. */
  compare?: readonly string[];
  /** The comparison operators those properties accept, when not all four. */
  compareOps?: readonly ('ge' | 'gt' | 'le' | 'lt')[];
  /** String comparisons match case (the provisioning log's "filters are all case sensitive"). */
  caseSensitive?: boolean;
}

/** Thrown for filters the fake cannot parse or does not support; FakeGraph turns it into a 400. */
export class FilterError extends Error {}

type Token =
  | { t: 'str'; v: string }
  | { t: 'ident'; v: string }
  | { t: 'lit'; v: string }
  | { t: '(' | ')' | ',' }
  | { t: 'end' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i] ?? '';
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '(' || c === ')' || c === ',') {
      tokens.push({ t: c });
      i += 1;
    } else if (c === "'") {
      // OData string literal: a quote inside is written as two quotes ('O''Brien').
      let value = '';
      i += 1;
      for (;;) {
        if (i >= input.length) throw new FilterError('Unterminated string literal');
        const ch = input[i] ?? '';
        if (ch === "'") {
          if (input[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += ch;
        i += 1;
      }
      tokens.push({ t: 'str', v: value });
    } else if (/[0-9]/.test(c)) {
      // Unquoted literal: a number or a datetime such as 2026-11-22T12:00:00Z.
      let j = i;
      while (j < input.length && /[0-9A-Za-z:.+-]/.test(input[j] ?? '')) j += 1;
      tokens.push({ t: 'lit', v: input.slice(i, j) });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < input.length && /[A-Za-z0-9_/.]/.test(input[j] ?? '')) j += 1;
      tokens.push({ t: 'ident', v: input.slice(i, j) });
      i = j;
    } else {
      throw new FilterError(`Syntax error: character '${c}' is not valid at position ${i}`);
    }
  }
  tokens.push({ t: 'end' });
  return tokens;
}

/** Parses `$filter` text (eq, startswith, ge/gt/le/lt, and, or, parentheses; strings, booleans, datetimes). */
export function parseFilter(input: string): FilterExpr {
  const tokens = tokenize(input);
  let pos = 0;
  const peek = (): Token => tokens[pos] ?? { t: 'end' };
  const next = (): Token => tokens[pos++] ?? { t: 'end' };
  const expectString = (): string => {
    const tok = next();
    if (tok.t !== 'str') throw new FilterError('Expected a string literal');
    return tok.v;
  };
  const isKeyword = (word: string): boolean => {
    const tok = peek();
    return tok.t === 'ident' && tok.v === word;
  };

  const parseOr = (): FilterExpr => {
    let left = parseAnd();
    while (isKeyword('or')) {
      next();
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): FilterExpr => {
    let left = parsePrimary();
    while (isKeyword('and')) {
      next();
      left = { kind: 'and', left, right: parsePrimary() };
    }
    return left;
  };
  const parsePrimary = (): FilterExpr => {
    const tok = next();
    if (tok.t === '(') {
      const inner = parseOr();
      if (next().t !== ')') throw new FilterError("Expected ')'");
      return inner;
    }
    if (tok.t !== 'ident') throw new FilterError('Expected a property or function');
    if (tok.v === 'startswith') {
      if (next().t !== '(') throw new FilterError("Expected '(' after startswith");
      const field = next();
      if (field.t !== 'ident') throw new FilterError('Expected a property name');
      if (next().t !== ',') throw new FilterError("Expected ','");
      const value = expectString();
      if (next().t !== ')') throw new FilterError("Expected ')'");
      return { kind: 'startswith', field: field.v, value };
    }
    if (peek().t === '(') throw new FilterError(`Unsupported function '${tok.v}'`);
    const op = next();
    if (op.t === 'ident' && ['ge', 'gt', 'le', 'lt'].includes(op.v)) {
      const value = next();
      if (value.t !== 'lit' || Number.isNaN(Date.parse(value.v)))
        throw new FilterError('Expected a datetime literal');
      return { kind: 'compare', op: op.v as 'ge' | 'gt' | 'le' | 'lt', field: tok.v, value: value.v };
    }
    if (op.t !== 'ident' || op.v !== 'eq') throw new FilterError(`Unsupported operator after '${tok.v}'`);
    const value = peek();
    if (value.t === 'ident' && (value.v === 'true' || value.v === 'false')) {
      next();
      return { kind: 'eq', field: tok.v, value: value.v === 'true' };
    }
    return { kind: 'eq', field: tok.v, value: expectString() };
  };

  const expr = parseOr();
  if (peek().t !== 'end') throw new FilterError('Unexpected trailing tokens');
  return expr;
}

/** Rejects filters using properties or operators the collection does not support. */
export function checkFilter(expr: FilterExpr, caps: FilterCapabilities): void {
  switch (expr.kind) {
    case 'eq':
      if (!caps.eq.includes(expr.field)) throw new FilterError(`Unsupported property '${expr.field}' for eq`);
      return;
    case 'compare':
      if (!(caps.compare ?? []).includes(expr.field)) {
        throw new FilterError(`Unsupported property '${expr.field}' for ${expr.op}`);
      }
      if (caps.compareOps && !caps.compareOps.includes(expr.op)) {
        throw new FilterError(`The operator '${expr.op}' is not supported for property '${expr.field}'`);
      }
      return;
    case 'startswith':
      if (!caps.startswith.includes(expr.field)) {
        throw new FilterError(`Unsupported property '${expr.field}' for startswith`);
      }
      return;
    case 'and':
    case 'or':
      if (!caps[expr.kind]) throw new FilterError(`Unsupported operator '${expr.kind}'`);
      checkFilter(expr.left, caps);
      checkFilter(expr.right, caps);
      return;
  }
}

/**
 * Evaluates a filter; string comparisons are case-insensitive, like directory queries, unless `caseSensitive`.
 * Datetimes compare with all their fractional digits (Graph keeps seven).
 */
export function matchesFilter(expr: FilterExpr, item: unknown, caseSensitive = false): boolean {
  switch (expr.kind) {
    case 'and':
      return matchesFilter(expr.left, item, caseSensitive) && matchesFilter(expr.right, item, caseSensitive);
    case 'or':
      return matchesFilter(expr.left, item, caseSensitive) || matchesFilter(expr.right, item, caseSensitive);
    case 'compare': {
      const actual = readPath(item, expr.field);
      if (typeof actual !== 'string') return false;
      const order = compareInstants(actual, expr.value);
      return { ge: order >= 0, gt: order > 0, le: order <= 0, lt: order < 0 }[expr.op];
    }
    case 'eq':
    case 'startswith': {
      const actual = readPath(item, expr.field);
      if (typeof expr.value === 'boolean') return actual === expr.value;
      if (typeof actual !== 'string') return false;
      const a = caseSensitive ? actual : actual.toLowerCase();
      const v = caseSensitive ? expr.value : expr.value.toLowerCase();
      return expr.kind === 'eq' ? a === v : a.startsWith(v);
    }
  }
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

function readPath(item: unknown, path: string): unknown {
  let cur: unknown = item;
  for (const part of path.split('/')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
