import type { RequestChecker } from './check-request';
import { descriptionPage, PAGES, type ContractRequest, type Violation } from './contract-request';
import type { GraphDescription, PropertyDef } from './description';
import { ValueChecker, type Shape } from './edm-values';
import type { Resolved } from './graph-path';

/** An answer as the contract sees it. */
export interface ContractResponse {
  readonly status: number;
  readonly body: unknown;
}

function names(list: string | undefined): Set<string> | undefined {
  if (list === undefined) return undefined;
  return new Set(
    list
      .split(',')
      .map((s) => s.trim().replace(/\(.*$/, ''))
      .filter(Boolean),
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The error body every Graph error carries: `{"error":{"code","message","innerError"?}}`. */
function checkError(body: unknown): Violation[] {
  const error = isObject(body) ? body['error'] : undefined;
  if (isObject(error) && typeof error['code'] === 'string' && typeof error['message'] === 'string') return [];
  return [
    {
      rule: 'error-body',
      message: 'an error answer without {"error":{"code","message"}}',
      page: PAGES.errors,
    },
  ];
}

/** Holds answers to the description: every 2xx body is a value of the type the request's path promises. */
export class ResponseChecker {
  constructor(
    private readonly description: GraphDescription,
    private readonly requests: RequestChecker,
  ) {}

  check(req: ContractRequest, resolved: Resolved, res: ContractResponse): Violation[] {
    if (res.status === 0) return [];
    if (res.status >= 400) return checkError(res.body);
    if (!req.version) return [];
    const page = descriptionPage(this.description, req.version);
    const values = new ValueChecker(this.requests.model(req.version));
    const shape: Shape = {
      ...(names(req.query['$select']) ? { select: names(req.query['$select']) } : {}),
      ...(names(req.query['$expand']) ? { expand: names(req.query['$expand']) } : {}),
    };
    const out = (issues: ReturnType<ValueChecker['check']>): Violation[] =>
      issues.map((i) => ({ rule: 'response', message: `${i.at} ${i.message}`, page }));

    switch (resolved.target) {
      case 'batch':
        return this.checkBatch(req, res);
      case 'count':
        return typeof res.body === 'number' || typeof res.body === 'string'
          ? []
          : [{ rule: 'response', message: '$count answers a number', page }];
      case 'operation': {
        const returns = resolved.operation?.returns;
        if (!returns) {
          return res.body === undefined
            ? []
            : [
                {
                  rule: 'response',
                  message: `${resolved.operation?.name} returns nothing, yet the answer has a body`,
                  page,
                },
              ];
        }
        if (res.status === 204 || res.body === undefined) {
          return [
            {
              rule: 'response',
              message: `${resolved.operation?.name} returns a value; the answer has none`,
              page,
            },
          ];
        }
        return returns.collection
          ? this.collection(returns, res.body, values, out, shape)
          : out(values.check(returns, res.body, '$'));
      }
      case 'collection':
        return this.collection({ type: resolved.type ?? '', collection: true }, res.body, values, out, shape);
      case 'entity':
        return out(values.check({ type: resolved.type ?? '' }, res.body, '$', shape));
    }
  }

  private collection(
    def: PropertyDef,
    body: unknown,
    values: ValueChecker,
    out: (issues: ReturnType<ValueChecker['check']>) => Violation[],
    shape: Shape = {},
  ): Violation[] {
    if (!isObject(body)) return out([{ at: '$', message: 'a collection answers {"value":[…]}' }]);
    const issues = Object.keys(body)
      .filter((k) => k !== 'value' && !k.startsWith('@odata.'))
      .map((k) => ({ at: `$.${k}`, message: 'is not part of a collection answer' }));
    const next = body['@odata.nextLink'];
    if (next !== undefined && (typeof next !== 'string' || !/^https:\/\//.test(next))) {
      issues.push({ at: '$.@odata.nextLink', message: 'should be an absolute https URL' });
    }
    return out([...issues, ...values.check({ ...def, collection: true }, body['value'], '$.value', shape)]);
  }

  private checkBatch(req: ContractRequest, res: ContractResponse): Violation[] {
    const page = PAGES.batching;
    const responses = isObject(res.body) ? res.body['responses'] : undefined;
    if (!Array.isArray(responses))
      return [{ rule: 'batch-response', message: 'the answer has no responses array', page }];
    const items = new Map<string, Record<string, unknown>>();
    for (const r of ((req.body as { requests?: unknown[] } | undefined)?.requests ?? []) as unknown[]) {
      if (isObject(r) && typeof r['id'] === 'string') items.set(r['id'], r);
    }
    const out: Violation[] = [];
    for (const raw of responses as unknown[]) {
      const r = isObject(raw) ? raw : {};
      const id = r['id'];
      const item = typeof id === 'string' ? items.get(id) : undefined;
      if (!item) {
        out.push({
          rule: 'batch-response',
          message: `a response with id ${String(id)} that no request has`,
          page,
        });
        continue;
      }
      if (typeof r['status'] !== 'number')
        out.push({ rule: 'batch-response', message: `response ${id} has no status`, page });
      const url = new URL(String(item['url']).replace(/^\/?/, '/'), 'https://graph.invalid');
      const nested: ContractRequest = {
        method: String(item['method']),
        version: req.version,
        segments: url.pathname
          .split('/')
          .filter(Boolean)
          .map((s) => decodeURIComponent(s)),
        query: Object.fromEntries(url.searchParams),
        headers: {},
        body: item['body'],
        hasBody: 'body' in item,
        inBatch: true,
      };
      const { resolved } = this.requests.resolve(nested);
      if (!resolved) continue;
      const violations = this.check(nested, resolved, { status: Number(r['status']), body: r['body'] });
      out.push(...violations.map((v) => ({ ...v, message: `response ${id}: ${v.message}` })));
    }
    return out;
  }
}
