import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  ResponseType,
  TelemetryHandler,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import { failureFromResponse, toGraphFailure } from './graph-failure';
import { DEFAULT_GRAPH_RETRY, GraphRetryHandler, type GraphRetrySettings } from './graph-retry';

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
  /**
   * Send as an advanced query (`ConsistencyLevel: eventual` and `$count=true`), which some directory queries
   * require, e.g. an OData cast on a group's members (see /graph/aad-advanced-queries).
   */
  readonly advanced?: boolean;
  /**
   * Graph's `x-ms-throttle-priority` (throttling-limits, "Identity and access service limits"): when Graph must
   * throttle, `low` requests go first and `high` last. Background reads say `low` so people's look-ups go first.
   */
  readonly throttlePriority?: 'low' | 'normal' | 'high';
}

/**
 * The small slice of Microsoft Graph the domain needs. Reads throw GraphFailure on any error;
 * writes resolve status and body for 2xx and throw GraphFailure otherwise.
 */
export interface GraphApi {
  get<T>(path: string, options?: CallOptions): Promise<T>;
  /**
   * Follows @odata.nextLink through every page, or until `maxItems` are gathered when the caller wants only the
   * first few (a look-up that needs to know whether a name is ambiguous).
   */
  list<T>(path: string, options?: CallOptions & { maxItems?: number }): Promise<T[]>;
  /**
   * POSTs `body` as JSON; with `body` undefined (an action without parameters, whose page says "Don't supply a
   * request body") the request goes without a body and without Content-Type.
   */
  post<T>(path: string, body: unknown, options?: CallOptions): Promise<GraphResult<T>>;
}

/** A collection read up to a ceiling, and whether that was all of it. */
export interface Listed<T> {
  readonly items: T[];
  /** False when Graph had more than `ceiling`: the items are part of the collection, never to be taken as all. */
  readonly complete: boolean;
  readonly ceiling: number;
}

/**
 * Reads at most `ceiling` items of a collection, asking for one more to learn whether that was all: a look-up
 * that stops at a ceiling must say so, not answer "none" or "the newest" from part of the tenant.
 */
export async function listUpTo<T>(
  graph: GraphApi,
  path: string,
  ceiling: number,
  options?: CallOptions,
): Promise<Listed<T>> {
  const read = await graph.list<T>(path, { ...options, maxItems: ceiling + 1 });
  return { items: read.slice(0, ceiling), complete: read.length <= ceiling, ceiling };
}

/** One page of a collection or of a delta round, with the link Graph gave to go on from it. */
export interface GraphPage<T> {
  readonly value: readonly T[];
  /** More pages follow in this round: read this link next. */
  readonly nextLink?: string;
  /** The round is over (delta query): keep this link to ask for the changes since. */
  readonly deltaLink?: string;
}

/**
 * A client that reads one page at a time, so a long scan can stop after any page and go on from the link it
 * kept (the monitor's scans, which keep their place in the state store).
 */
export interface PagingGraphApi extends GraphApi {
  /** Reads one page: a path with options, or an @odata.nextLink / @odata.deltaLink exactly as Graph gave it. */
  page<T>(pathOrLink: string, options?: CallOptions): Promise<GraphPage<T>>;
}

/** A client shared across turns (the app-only reads), which each turn tags with its own correlation id. */
export interface SharedGraphApi extends PagingGraphApi {
  /**
   * The same client, its calls sending `correlationId` as client-request-id, so a turn's reads through the
   * shared app-only client can be followed from our logs into Graph's.
   */
  withCorrelationId(correlationId: string): GraphApi;
}

/** Supplies a bearer token for Graph: the app's own for reads, the approver's on-behalf-of token for writes. */
export type TokenSource = () => Promise<string>;

/** A Graph client that acts as the approver, over the delegated token their sign-in was exchanged for. */
export type DelegatedGraphFactory = (token: TokenSource, correlationId: string) => GraphApi;

/** Settings for one Graph client. */
export interface GraphApiOptions {
  readonly baseUrl: string;
  readonly token: TokenSource;
  /** Carried into client-request-id so one turn can be followed from our logs into Graph's. */
  readonly correlationId?: string;
  /** Timeout, retries and backoff; the composition root injects its clock's sleep and now. */
  readonly retry?: Partial<GraphRetrySettings>;
}

/**
 * The Graph client labels every POST application/json, even one it sends without a body (`.post(undefined)`);
 * a request without a body has no content to type, so the label goes.
 */
class NoTypeWithoutBody implements Middleware {
  private next: Middleware | undefined;

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const options = context.options;
    if (options && (options.body === undefined || options.body === null) && options.headers) {
      const headers = new Headers(options.headers);
      headers.delete('content-type');
      context.options = { ...options, headers };
    }
    await this.next?.execute(context);
  }
}

/**
 * Builds a GraphApi on @microsoft/microsoft-graph-client, sent with its own fetch, and our retry middleware: a
 * timeout per attempt, Retry-After honoured, reads retried on throttling, 5xx and network failures, writes only
 * where Graph cannot have run them (429, 503), so a retry never runs a remediation twice.
 */
export function createGraphApi(options: GraphApiOptions): SharedGraphApi {
  const authProvider: AuthenticationProvider = { getAccessToken: () => options.token() };
  const auth = new AuthenticationHandler(authProvider);
  const retry = new GraphRetryHandler({ ...DEFAULT_GRAPH_RETRY, ...options.retry });
  const telemetry = new TelemetryHandler();
  const untyped = new NoTypeWithoutBody();
  auth.setNext(retry);
  retry.setNext(telemetry);
  telemetry.setNext(untyped);
  untyped.setNext(new HTTPMessageHandler());
  const base = new URL(options.baseUrl);
  const client = Client.initWithMiddleware({
    middleware: auth,
    baseUrl: `${base.origin}/`,
    customHosts: new Set([base.hostname]),
    defaultVersion: 'v1.0',
  });

  return graphApiOn(client, options.correlationId);
}

function graphApiOn(client: Client, correlationId: string | undefined): SharedGraphApi {
  const correlated = (pathOrUrl: string, opts: CallOptions | undefined) => {
    const req = client.api(pathOrUrl);
    if (opts?.advanced) req.header('ConsistencyLevel', 'eventual');
    if (opts?.throttlePriority) req.header('x-ms-throttle-priority', opts.throttlePriority);
    return correlationId ? req.header('client-request-id', correlationId) : req;
  };
  const request = (path: string, opts: CallOptions | undefined) => {
    const req = correlated(path, opts).version(opts?.version ?? 'v1.0');
    const query = opts?.advanced ? { ...opts.query, $count: 'true' } : (opts?.query ?? {});
    for (const [key, value] of Object.entries(query)) {
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
      const max = opts?.maxItems ?? Number.POSITIVE_INFINITY;
      const items: T[] = [];
      try {
        let page = (await request(path, opts).get()) as { value?: T[]; '@odata.nextLink'?: string };
        for (;;) {
          items.push(...(page.value ?? []));
          const next = page['@odata.nextLink'];
          if (!next || items.length >= max) break;
          page = await correlated(next, opts).get();
        }
      } catch (err) {
        throw toGraphFailure(err);
      }
      return items.slice(0, max);
    },

    async page<T>(pathOrLink: string, opts?: CallOptions): Promise<GraphPage<T>> {
      const link = /^https:\/\//i.test(pathOrLink);
      let body: { value?: T[]; '@odata.nextLink'?: string; '@odata.deltaLink'?: string };
      try {
        body = await (link ? correlated(pathOrLink, opts) : request(pathOrLink, opts)).get();
      } catch (err) {
        throw toGraphFailure(err);
      }
      const next = body['@odata.nextLink'];
      const delta = body['@odata.deltaLink'];
      return {
        value: body.value ?? [],
        ...(next ? { nextLink: next } : {}),
        ...(delta ? { deltaLink: delta } : {}),
      };
    },

    async post<T>(path: string, body: unknown, opts?: CallOptions): Promise<GraphResult<T>> {
      let response: Response;
      const req = request(path, opts).responseType(ResponseType.RAW);
      if (body !== undefined) req.header('Content-Type', 'application/json');
      try {
        response = (await req.post(body)) as Response;
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

    withCorrelationId(id: string): GraphApi {
      return graphApiOn(client, id);
    },
  };
}
