import { RequestChecker } from './check-request';
import type { ContractRequest, Violation } from './contract-request';
import { ResponseChecker, type ContractResponse } from './check-response';
import { loadDescription, type GraphDescription } from './description';
import type { Resolved } from './graph-path';
import { surfaceCall } from './graph-surface';
import { QUERY_CAPABILITIES, type QueryCapabilities } from './query-capabilities';

export type { ContractRequest, ContractResponse, Violation };

/** What the contract says about one request and its answer. */
export interface Verdict {
  readonly template?: string;
  readonly request: readonly Violation[];
  readonly response: readonly Violation[];
}

/**
 * Microsoft Graph's published description as a checker: the vendored metadata slice, the hand-kept query
 * capabilities and the batching rules, applied to a request and to the answer a fake gives it.
 */
export class GraphContract {
  private readonly requests: RequestChecker;
  private readonly responses: ResponseChecker;

  constructor(
    description: GraphDescription = loadDescription(),
    capabilities: QueryCapabilities = QUERY_CAPABILITIES,
  ) {
    this.requests = new RequestChecker(description, capabilities);
    this.responses = new ResponseChecker(description, this.requests);
  }

  /**
   * Checks a request, and with `product` also that it is one of the calls the product is meant to make
   * (test/contract/graph-surface.ts), so a new call cannot arrive without its permission and page.
   */
  checkRequest(req: ContractRequest, product: boolean): { resolved?: Resolved; violations: Violation[] } {
    const { resolved, violations } = this.requests.check(req);
    if (!product || !resolved || !req.version) return { ...(resolved ? { resolved } : {}), violations };
    const extra: Violation[] = [];
    const calls =
      resolved.target === 'batch'
        ? batchTemplates(this.requests, req)
        : [{ method: req.method, template: resolved.template }];
    for (const c of calls) {
      if (!surfaceCall(req.version, c.method, c.template)) {
        extra.push({
          rule: 'surface',
          message: `${c.method} /${req.version}${c.template} is not in test/contract/graph-surface.ts: add it with its permissions and page`,
          page: 'test/contract/graph-surface.ts',
        });
      }
    }
    return { resolved, violations: [...violations, ...extra] };
  }

  checkResponse(req: ContractRequest, resolved: Resolved, res: ContractResponse): Violation[] {
    return this.responses.check(req, resolved, res);
  }

  /** Both checks at once: what a recorded exchange is held to. */
  verdict(req: ContractRequest, res: ContractResponse, product: boolean): Verdict {
    const { resolved, violations } = this.checkRequest(req, product);
    return {
      ...(resolved ? { template: resolved.template } : {}),
      request: violations,
      response: resolved ? this.checkResponse(req, resolved, res) : [],
    };
  }
}

/** The calls inside a batch, as method and template, for the surface check. */
function batchTemplates(
  requests: RequestChecker,
  req: ContractRequest,
): Array<{ method: string; template: string }> {
  const items = (req.body as { requests?: unknown[] } | undefined)?.requests ?? [];
  const out: Array<{ method: string; template: string }> = [{ method: 'POST', template: '/$batch' }];
  for (const raw of items) {
    const item = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const url = new URL(String(item['url'] ?? '').replace(/^\/?/, '/'), 'https://graph.invalid');
    const method = String(item['method'] ?? 'GET');
    const { resolved } = requests.resolve({
      method,
      version: req.version,
      segments: url.pathname
        .split('/')
        .filter(Boolean)
        .map((s) => decodeURIComponent(s)),
      query: {},
      headers: {},
      body: undefined,
      hasBody: false,
    });
    if (resolved) out.push({ method, template: resolved.template });
  }
  return out;
}
