import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  ResponseType,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type AuthenticationProvider,
} from '@microsoft/microsoft-graph-client';
import { failureFromResponse, toGraphFailure } from './graph-failure';

/** Graph API version; beta-only actions say so in their definition. */
export type GraphVersion = 'v1.0' | 'beta';

/** The outcome of a successful write, with the identifiers a support ticket needs. */
export interface GraphResult<T = unknown> {
  readonly status: number;
  readonly body: T | undefined;
  readonly requestId: string | undefined;
  readonly date: string | undefined;
}

/** Options common to every call. */
export interface CallOptions {
  readonly version?: GraphVersion;
  /** Query parameters; values are encoded here, never by callers. */
  readonly query?: Readonly<Record<string, string>>;
}

/**
 * The small slice of Microsoft Graph the domain needs. Reads throw GraphFailure on any error;
 * writes resolve status and body for 2xx and throw GraphFailure otherwise.
 */
export interface GraphApi {
  get<T>(path: string, options?: CallOptions): Promise<T>;
  /** Follows @odata.nextLink until `maxItems` are gathered. */
  list<T>(path: string, options?: CallOptions & { maxItems?: number }): Promise<T[]>;
  post<T>(path: string, body: unknown, options?: CallOptions): Promise<GraphResult<T>>;
}

/** Supplies a bearer token for Graph: the app's own for reads, the approver's on-behalf-of token for writes. */
export type TokenSource = () => Promise<string>;

/** Settings for one Graph client. */
export interface GraphApiOptions {
  readonly baseUrl: string;
  readonly token: TokenSource;
  /** Carried into client-request-id so one turn can be followed from our logs into Graph's. */
  readonly correlationId?: string;
  readonly maxRetries?: number;
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * Reads retry on 429/503/504 after Retry-After; a write retries only on 429 and 503, the answers Graph
 * gives before it has processed anything, so a remediation never runs twice because of a retry.
 */
function shouldRetry(
  _delay: number,
  _attempt: number,
  request: unknown,
  options: unknown,
  response: Response,
) {
  const method = (
    (options as { method?: string } | undefined)?.method ??
    (typeof request === 'object' && request !== null && 'method' in request ? String(request.method) : 'GET')
  ).toUpperCase();
  return READ_METHODS.has(method) || response.status === 429 || response.status === 503;
}

/** Builds a GraphApi on @microsoft/microsoft-graph-client with its Retry-After-aware retry middleware. */
export function createGraphApi(options: GraphApiOptions): GraphApi {
  const authProvider: AuthenticationProvider = { getAccessToken: () => options.token() };
  const auth = new AuthenticationHandler(authProvider);
  const retry = new RetryHandler(new RetryHandlerOptions(1, options.maxRetries ?? 3, shouldRetry));
  const telemetry = new TelemetryHandler();
  auth.setNext(retry);
  retry.setNext(telemetry);
  telemetry.setNext(new HTTPMessageHandler());
  const base = new URL(options.baseUrl);
  const client = Client.initWithMiddleware({
    middleware: auth,
    baseUrl: `${base.origin}/`,
    customHosts: new Set([base.hostname]),
    defaultVersion: 'v1.0',
  });

  const request = (path: string, opts: CallOptions | undefined) => {
    const req = client.api(path).version(opts?.version ?? 'v1.0');
    if (options.correlationId) req.header('client-request-id', options.correlationId);
    for (const [key, value] of Object.entries(opts?.query ?? {})) {
      req.query({ [key]: encodeURIComponent(value) });
    }
    return req;
  };

  return {
    async get<T>(path: string, opts?: CallOptions): Promise<T> {
      try {
        return (await request(path, opts).get()) as T;
      } catch (err) {
        throw toGraphFailure(err);
      }
    },

    async list<T>(path: string, opts?: CallOptions & { maxItems?: number }): Promise<T[]> {
      const max = opts?.maxItems ?? 1000;
      const items: T[] = [];
      try {
        let page = (await request(path, opts).get()) as { value?: T[]; '@odata.nextLink'?: string };
        for (;;) {
          items.push(...(page.value ?? []));
          const next = page['@odata.nextLink'];
          if (!next || items.length >= max) break;
          page = await client.api(next).get();
        }
      } catch (err) {
        throw toGraphFailure(err);
      }
      return items.slice(0, max);
    },

    async post<T>(path: string, body: unknown, opts?: CallOptions): Promise<GraphResult<T>> {
      let response: Response;
      try {
        response = (await request(path, opts)
          .header('Content-Type', 'application/json')
          .responseType(ResponseType.RAW)
          .post(body ?? {})) as Response;
      } catch (err) {
        throw toGraphFailure(err);
      }
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!response.ok) throw failureFromResponse(response.status, response.headers, parsed);
      return {
        status: response.status,
        body: parsed as T | undefined,
        requestId: response.headers.get('request-id') ?? undefined,
        date: response.headers.get('date') ?? undefined,
      };
    },
  };
}
