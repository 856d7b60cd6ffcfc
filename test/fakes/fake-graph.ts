import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';

import { GraphContract, type ContractRequest } from '../contract/graph-contract';
import { QUERY_CAPABILITIES } from '../contract/query-capabilities';
import { appendExchanges, currentTest, recording, type Exchange } from '../contract/run-log';
import type { FakeEntra } from './fake-entra';
import { DeltaRefusal, UserDeltaFake, type GeneratedUsers } from './fake-graph-delta';
import {
  closeServer,
  listenOnLoopback,
  readBody,
  RecordLog,
  redactHeaders,
  trackSockets,
  tryParseJson,
  Delays,
} from './fake-http';
import type {
  AccessPackageAssignmentRequestSeed,
  GraphFault,
  GroupSeed,
  GraphHold,
  GraphRequestRecord,
  GraphSeed,
  GraphStore,
  GraphTokenInfo,
  GraphUserSeed,
  GraphVersion,
  ProvisionOnDemandResultSeed,
  RemediationKind,
  ServicePrincipalSeed,
  SynchronizationJobSeed,
} from './fake-graph-types';
import { isObject } from './jwt';
import { FilterSyntaxError, matchesFilter, parseFilter } from './odata-filter';
import { loadTestTls, type TlsMaterial } from './tls';

export * from './fake-graph-types';

/** Options for {@link FakeGraph.start}. */
export interface FakeGraphOptions {
  /** Tokens must be signed by this fake's key. */
  entra: FakeEntra;
  seed?: GraphSeed;
  /** Clock for expiry and rate limits (epoch ms); default: the Entra fake's clock. */
  now?: () => number;
  /** Page size for collections (adds @odata.nextLink); default: everything in one page. */
  pageSize?: number;
  /** Status of the Cloud PC policy retry; default 202. */
  cloudPcRetryStatus?: 202 | 204;
  /** Answer provisionOnDemand with the old bare 204. */
  provisionOnDemandLegacy204?: boolean;
  /**
   * The certificate it serves https with (default: the .test-tls cert). There is no plain http: the Graph client
   * attaches its bearer token to https URLs only, so the bot refuses an http GRAPH_BASE_URL.
   */
  tls?: TlsMaterial;
  certPath?: string;
  keyPath?: string;
  /** Graph's throttling, modelled: a fixed budget of requests per window (see {@link FakeThrottle}). */
  throttle?: FakeThrottle;
  /**
   * Service time of every HTTP request (a $batch counts once), like a real Graph round trip; default 0. A function
   * is asked once per request, so a benchmark can give each request its own (e.g. seeded, jittered) time.
   */
  latencyMs?: number | (() => number);
}

/**
 * A fixed-window throttle on the fake's clock: at most `limit` requests per `windowMs`, counted per item
 * inside a JSON batch as Graph does; past it the request (or batch item) is answered 429 with Retry-After.
 * A window starts with the first counted request after the previous one ended.
 */
export interface FakeThrottle {
  limit: number;
  windowMs: number;
  /** Which requests count: 'writes' (default, every non-GET) or 'all'. The $batch envelope never counts. */
  scope?: 'writes' | 'all';
  /**
   * One in this many batch items within the budget answers 503 ServiceUnavailable with a Retry-After of
   * `unavailableRetryAfterSec` (default 3) instead, without spending the budget: an item of a batch has its own
   * status and headers (/graph/json-batching), and a 503 may name a delay in Retry-After (/graph/errors).
   */
  unavailableEvery?: number;
  unavailableRetryAfterSec?: number;
}

/** At most this many requests in one JSON batch, as in Graph. */
export const MAX_BATCH_REQUESTS = 20;

/** Roles that may run each remediation, matched case-insensitively against the caller's seeded roles. */
export const REMEDIATION_ROLES: Record<RemediationKind, readonly string[]> = {
  retryServiceProvisioning: ['User Administrator', 'Global Administrator'],
  reprocessLicenseAssignment: [
    'License Administrator',
    'User Administrator',
    'Directory Writers',
    'Global Administrator',
  ],
  retryCloudPcPolicy: ['Cloud PC Administrator', 'Intune Administrator', 'Global Administrator'],
  reprocessAccessRequest: [
    'Identity Governance Administrator',
    'Access Package Assignment Manager',
    'Global Administrator',
  ],
  provisionOnDemand: ['Application Administrator', 'Cloud Application Administrator', 'Global Administrator'],
};

/**
 * Delegated permissions (scp) that let a token run each remediation: the least privileged and the higher ones
 * of each API page's permissions table (user: retryServiceProvisioning, user: reprocessLicenseAssignment,
 * cloudPcProvisioningPolicy: retry, accessPackageAssignmentRequest: reprocess, synchronizationJob:
 * provisionOnDemand). Matched case-insensitively.
 */
export const REMEDIATION_SCOPES: Record<RemediationKind, readonly string[]> = {
  retryServiceProvisioning: [
    'User.ReadWrite',
    'User.ManageIdentities.All',
    'User.EnableDisableAccount.All',
    'User.ReadWrite.All',
    'Directory.ReadWrite.All',
  ],
  reprocessLicenseAssignment: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
  retryCloudPcPolicy: ['CloudPC.ReadWrite.All'],
  reprocessAccessRequest: ['EntitlementManagement.ReadWrite.All'],
  provisionOnDemand: ['Synchronization.ReadWrite.All'],
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const GRAPH_AUDIENCES = new Set([
  'https://graph.microsoft.com',
  'https://graph.microsoft.com/',
  '00000003-0000-0000-c000-000000000000',
]);
const POD_LIMIT = 5;
const POD_WINDOW_MS = 10_000;

/** Properties v1.0 returns for a user when there is no $select (the real default set). */
const USER_DEFAULT_PROPERTIES = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];
/** The published description, which decides what the fake refuses (see refuse()). */
let contract: GraphContract | undefined;

/** Contract rules whose breach Graph itself answers 400 (not the product-only rules: body, surface). */
const REFUSED_RULES = new Set([
  '$select',
  '$expand',
  '$filter',
  '$orderby',
  '$top',
  'advanced-query',
  'query',
]);
const DIRECTORY = /^\/(users|groups|servicePrincipals)\b/;

/** A Graph error raised inside a handler; `handle` turns it into Graph's error body. */
class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Ctx {
  method: string;
  version: GraphVersion;
  segments: string[];
  query: Record<string, string>;
  body: unknown;
  token: GraphTokenInfo;
  rawPath: string;
  rawSearch: string;
  /** Lower-cased request headers (authorization masked). */
  headers: Record<string, string>;
}

interface HoldState {
  matcher: string | RegExp;
  method?: string;
  /** Matching requests still let through before holding starts. */
  passes: number;
  released: boolean;
  waiters: Array<() => void>;
  arrivals: RecordLog<string>;
}

interface StoredFault extends GraphFault {
  remaining: number;
}

/**
 * A loopback Microsoft Graph with the reads and the five remediation writes the bot uses, Graph-shaped errors,
 * role checks on delegated tokens, fault injection and deterministic holds.
 */
export class FakeGraph {
  /** Base URL without version, e.g. https://127.0.0.1:5555 (use `url + '/'` as the graph client's baseUrl). */
  readonly url: string;
  /** Every answered request in order. */
  readonly requests: GraphRequestRecord[];
  /** Clock (epoch ms). */
  readonly now: () => number;

  private readonly log: RecordLog<GraphRequestRecord>;
  private data: GraphStore = emptyStore();
  private readonly faults: StoredFault[] = [];
  private readonly holds: HoldState[] = [];
  private readonly calls = new Map<string, number>();
  private readonly attempts = new Map<string, number>();
  private readonly podHistory = new Map<string, number[]>();
  private readonly delays = new Delays();
  private throttle: FakeThrottle | undefined;
  private throttleWindow = { start: Number.NEGATIVE_INFINITY, used: 0 };
  private withinBudget = 0;
  private closed = false;
  private readonly exchanges: Exchange[] = [];
  private generated: GeneratedUsers | undefined;
  private readonly userDelta = new UserDeltaFake({
    explicit: () => this.data.users,
    generated: () => this.generated,
    view: (u, select) => userView(u, { version: 'v1.0' } as Ctx, select),
    now: () => this.now(),
    pageSize: () => this.opts.pageSize,
  });

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    port: number,
    private readonly entra: FakeEntra,
    private readonly opts: FakeGraphOptions,
  ) {
    this.url = `https://127.0.0.1:${port}`;
    this.now = opts.now ?? entra.now;
    this.log = new RecordLog<GraphRequestRecord>(
      'FakeGraph',
      (r) =>
        `${r.method} /${r.version ?? '?'}${r.path}${r.query['$filter'] ? ` $filter=${r.query['$filter']}` : ''} -> ${r.status}`,
    );
    this.requests = this.log.items;
    this.throttle = opts.throttle;
    if (opts.seed) this.seed(opts.seed);
  }

  /** Starts the server on a random loopback port. */
  static async start(opts: FakeGraphOptions): Promise<FakeGraph> {
    let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
    const listener = (req: IncomingMessage, res: ServerResponse): void => handler(req, res);
    const tls = opts.tls ?? loadTestTls(opts.certPath, opts.keyPath);
    const server = createHttpsServer({ cert: tls.cert, key: tls.key }, listener) as Server;
    const sockets = trackSockets(server);
    const port = await listenOnLoopback(server);
    const graph = new FakeGraph(server, sockets, port, opts.entra, opts);
    handler = (req, res) => {
      graph.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'InternalServerError', message: String(err) } }));
      });
    };
    return graph;
  }

  /** Stops the server, releases holds, cancels delayed answers and rejects pending waits. */
  async close(): Promise<void> {
    this.closed = true;
    this.delays.cancelAll();
    for (const h of this.holds) {
      h.released = true;
      for (const w of h.waiters.splice(0)) w();
      h.arrivals.dispose('closed');
    }
    this.log.dispose('closed');
    appendExchanges(this.exchanges.splice(0));
    await closeServer(this.server, this.sockets);
  }

  /** Replaces the collections present in `seed` (deep-copied). */
  seed(seed: GraphSeed): void {
    const copy = structuredClone(seed);
    this.data = { ...this.data, ...stripUndefined(copy) };
  }

  /** The live data; remediations mutate it, so tests can assert effects. */
  get store(): GraphStore {
    return this.data;
  }

  /** Finds a user by id or UPN (case-insensitive). */
  findUser(idOrUpn: string): GraphUserSeed | undefined {
    const key = idOrUpn.toLowerCase();
    return this.data.users.find(
      (u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key,
    );
  }

  /**
   * Makes the tenant larger by `count` users made on demand by `user(i)` (never held as one list), after the
   * seeded ones; a seeded user with the same id takes the generated one's place (how a test changes one).
   */
  generateUsers(users: GeneratedUsers | undefined): void {
    this.generated = users;
  }

  /** Makes every users delta link issued so far unusable: 410 Gone, or 400 syncStateNotFound. */
  expireDeltaLinks(how: 'gone' | 'syncStateNotFound'): void {
    this.userDelta.expire(how);
  }

  /** Non-GET requests, i.e. the writes the bot attempted. */
  writes(): GraphRequestRecord[] {
    return this.requests.filter((r) => r.method !== 'GET');
  }

  /**
   * Successful (2xx) remediation calls of `kind` for `targetId` (user id, policy id, request id, or for
   * provisionOnDemand the job id or a subject objectId); all targets when omitted.
   */
  callCount(kind: RemediationKind, targetId?: string): number {
    return this.calls.get(counterKey(kind, targetId)) ?? 0;
  }

  /** Like callCount, but counts every attempt that reached the handler (including 4xx answers, not faults). */
  attemptCount(kind: RemediationKind, targetId?: string): number {
    return this.attempts.get(counterKey(kind, targetId)) ?? 0;
  }

  /** Clears recorded requests, counters and the provisionOnDemand rate-limit window (not the data). */
  resetRecords(): void {
    this.requests.splice(0);
    this.calls.clear();
    this.attempts.clear();
    this.podHistory.clear();
    this.throttleWindow = { start: Number.NEGATIVE_INFINITY, used: 0 };
  }

  /** Turns the throttle model on (or off with undefined) and starts a fresh window. */
  setThrottle(throttle: FakeThrottle | undefined): void {
    this.throttle = throttle;
    this.throttleWindow = { start: Number.NEGATIVE_INFINITY, used: 0 };
    this.withinBudget = 0;
  }

  /** Makes the next matching request(s) fail with a Graph error body. */
  failNext(fault: GraphFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /**
   * Parks matching requests until `release()`, to simulate a slow Graph without sleeping. `after` lets that
   * many matching requests through first (e.g. hold the second $batch of a run).
   */
  hold(path: string | RegExp, opts: { method?: string; after?: number } = {}): GraphHold {
    const state: HoldState = {
      matcher: path,
      passes: opts.after ?? 0,
      released: false,
      waiters: [],
      arrivals: new RecordLog<string>('FakeGraph.hold', (p) => p),
    };
    if (opts.method !== undefined) state.method = opts.method.toUpperCase();
    this.holds.push(state);
    return {
      release: () => {
        state.released = true;
        this.holds.splice(this.holds.indexOf(state), 1);
        for (const w of state.waiters.splice(0)) w();
      },
      waitForArrival: async (timeoutMs = 5000) => {
        await state.arrivals.waitFor(() => true, timeoutMs);
      },
      get waiting() {
        return state.waiters.length;
      },
    };
  }

  /** Resolves with the first matching answered request (backlog first), else rejects after the timeout. */
  waitForRequest(
    predicate: (r: GraphRequestRecord) => boolean,
    timeoutMs = 5000,
  ): Promise<GraphRequestRecord> {
    return this.log.waitFor(predicate, timeoutMs);
  }

  // ---------------------------------------------------------------------------------------------------------
  // HTTP plumbing

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const crid = req.headers['client-request-id'];
    const clientRequestId = (Array.isArray(crid) ? crid[0] : crid) ?? randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const bodyText = await readBody(req);
    const rawUrl = req.url ?? '/';
    const url = new URL(rawUrl, 'http://fake');
    const rawSegments = url.pathname.split('/').filter(Boolean);
    const first = rawSegments[0];
    const version: GraphVersion | undefined = first === 'v1.0' || first === 'beta' ? first : undefined;
    const segments = rawSegments.slice(version ? 1 : 0).map(safeDecode);
    const path = `/${segments.join('/')}`;
    const record: GraphRequestRecord = {
      method,
      path,
      version,
      rawUrl,
      query: Object.fromEntries(url.searchParams),
      body: tryParseJson(bodyText),
      headers: redactHeaders(req.headers),
      status: 0,
      requestId,
      at: this.now(),
    };

    const send = (reply: Reply): void => {
      if (this.closed) return;
      record.status = reply.status;
      const headers: Record<string, string> = {
        'request-id': requestId,
        'client-request-id': clientRequestId,
        'x-ms-ags-diagnostic':
          '{"ServerInfo":{"DataCenter":"Loopback","Slice":"E","Ring":"0","ScaleUnit":"000","RoleInstance":"FAKE"}}',
        'cache-control': 'no-cache',
        ...reply.headers,
      };
      if (reply.body !== undefined) {
        headers['content-type'] =
          'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
      }
      res.writeHead(reply.status, headers);
      res.end(reply.body === undefined ? undefined : JSON.stringify(reply.body));
      this.log.push(record);
      this.remember(record, segments, bodyText, reply);
    };
    const sendError = (
      status: number,
      code: string,
      message: string,
      headers?: Record<string, string>,
    ): void => {
      const body = {
        error: {
          code,
          message,
          innerError: {
            date: new Date(this.now()).toISOString().replace(/\.\d+Z$/, ''),
            'request-id': requestId,
            'client-request-id': clientRequestId,
          },
        },
      };
      send(headers ? { status, body, headers } : { status, body });
    };

    if (!version) return sendError(400, 'BadRequest', `Invalid version: ${first ?? ''}`);
    if (bodyText.trim() !== '' && record.body === undefined) {
      return sendError(
        400,
        'BadRequest',
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
    }

    const auth = this.authenticate(req.headers['authorization']);
    if ('error' in auth) {
      return sendError(401, 'InvalidAuthenticationToken', auth.error, {
        'www-authenticate':
          'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"',
      });
    }
    record.token = auth.token;

    for (const hold of this.holds.filter(
      (h) => matchesPath(h.matcher, path) && (!h.method || h.method === method),
    )) {
      if (hold.released) continue;
      if (hold.passes > 0) {
        hold.passes -= 1;
        continue;
      }
      await new Promise<void>((resolve) => {
        hold.waiters.push(resolve);
        hold.arrivals.push(path);
      });
    }
    if (this.closed) return;

    const fault = this.faults.find(
      (f) => f.remaining > 0 && matchesPath(f.path, path) && (!f.method || f.method.toUpperCase() === method),
    );
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      if (fault.delayMs !== undefined && fault.delayMs > 0) await this.delays.sleep(fault.delayMs);
      if (fault.reset) {
        record.status = 0;
        this.log.push(record);
        req.socket.destroy();
        return;
      }
      if (fault.stallBody) {
        const text = JSON.stringify({ error: { code: fault.code, message: fault.message } });
        record.status = fault.status;
        res.writeHead(fault.status, {
          'request-id': requestId,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(text)),
          ...fault.headers,
        });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        this.log.push(record);
        return;
      }
      return sendError(fault.status, fault.code, fault.message, fault.headers);
    }

    const latencyMs = typeof this.opts.latencyMs === 'function' ? this.opts.latencyMs() : this.opts.latencyMs;
    if (latencyMs) await this.delays.sleep(latencyMs);
    if (this.closed) return;
    try {
      const ctx: Ctx = {
        method,
        version,
        segments,
        query: record.query,
        body: record.body,
        token: auth.token,
        rawPath: url.pathname,
        rawSearch: url.search,
        headers: record.headers,
      };
      if (path === '/$batch') {
        allow(ctx, 'POST');
        return send(this.batch(ctx, requestId));
      }
      this.checkThrottle(method);
      this.refuse(ctx);
      send(this.route(ctx));
    } catch (err) {
      if (err instanceof GraphHttpError) return sendError(err.status, err.code, err.message, err.headers);
      throw err;
    }
  }

  /**
   * Counts one request against the throttle model; throws 429 with Retry-After past the budget, and for a batch
   * item within it, now and then 503 (see {@link FakeThrottle.unavailableEvery}).
   */
  private checkThrottle(method: string, inBatch = false): void {
    const t = this.throttle;
    if (!t || ((t.scope ?? 'writes') === 'writes' && method === 'GET')) return;
    const now = this.now();
    if (now >= this.throttleWindow.start + t.windowMs) this.throttleWindow = { start: now, used: 0 };
    if (this.throttleWindow.used >= t.limit) {
      const waitMs = this.throttleWindow.start + t.windowMs - now;
      throw new GraphHttpError(
        429,
        'TooManyRequests',
        `Too many requests: the budget is ${t.limit} per ${t.windowMs} ms.`,
        { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
      );
    }
    if (inBatch && t.unavailableEvery && ++this.withinBudget % t.unavailableEvery === 0) {
      throw new GraphHttpError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.', {
        'retry-after': String(t.unavailableRetryAfterSec ?? 3),
      });
    }
    this.throttleWindow.used += 1;
  }

  /**
   * JSON batching (POST /{version}/$batch): at most 20 requests, each dispatched through the same handlers
   * with the envelope's token and version, throttled and faulted per item, answered in reverse order so
   * clients must match responses by id. A body needs a Content-Type header, and a write (POST, PATCH, PUT)
   * needs both, even for an action that takes no parameters, as in Graph.
   */
  private batch(ctx: Ctx, batchId: string): Reply {
    const requests = (ctx.body as { requests?: unknown } | undefined)?.requests;
    if (!Array.isArray(requests) || requests.length === 0) {
      throw new GraphHttpError(
        400,
        'BadRequest',
        'Invalid batch payload: requests must be a non-empty array.',
      );
    }
    if (requests.length > MAX_BATCH_REQUESTS) {
      throw new GraphHttpError(
        400,
        'BadRequest',
        `Invalid batch payload: the number of requests exceeds the limit of ${MAX_BATCH_REQUESTS}.`,
      );
    }
    const ids = new Set<string>();
    for (const item of requests) {
      const id = isObject(item) ? item['id'] : undefined;
      if (typeof id !== 'string' || id === '' || ids.has(id)) {
        throw new GraphHttpError(
          400,
          'BadRequest',
          'Invalid batch payload: every request needs a unique id.',
        );
      }
      ids.add(id);
    }
    const responses = (requests as Array<Record<string, unknown>>).map((item) =>
      this.batchItem(ctx, item, batchId),
    );
    return { status: 200, body: { responses: responses.reverse() } };
  }

  private batchItem(ctx: Ctx, item: Record<string, unknown>, batchId: string): Record<string, unknown> {
    const id = String(item['id']);
    const method = String(item['method'] ?? 'GET').toUpperCase();
    const rawUrl = String(item['url'] ?? '');
    const headers = Object.fromEntries(
      Object.entries(isObject(item['headers']) ? item['headers'] : {}).map(([k, v]) => [
        k.toLowerCase(),
        String(v),
      ]),
    );
    const url = new URL(rawUrl.replace(/^\/?/, '/'), 'http://fake');
    const segments = url.pathname.split('/').filter(Boolean).map(safeDecode);
    const record: GraphRequestRecord = {
      method,
      path: `/${segments.join('/')}`,
      version: ctx.version,
      rawUrl,
      query: Object.fromEntries(url.searchParams),
      body: item['body'],
      headers,
      token: ctx.token,
      status: 0,
      requestId: randomUUID(),
      at: this.now(),
      batchId,
    };
    const answer = (reply: Reply): Record<string, unknown> => {
      record.status = reply.status;
      this.log.push(record);
      return {
        id,
        status: reply.status,
        headers: {
          ...(reply.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...reply.headers,
        },
        ...(reply.body !== undefined ? { body: reply.body } : {}),
      };
    };
    const error = (status: number, code: string, message: string, extra?: Record<string, string>) =>
      answer({
        status,
        body: { error: { code, message, innerError: { 'request-id': record.requestId } } },
        ...(extra ? { headers: extra } : {}),
      });
    if (/^https?:/i.test(rawUrl) || /^\/?(v1\.0|beta)\//.test(rawUrl)) {
      return error(400, 'BadRequest', 'Batch request urls must be relative to the batch version.');
    }
    const write = method !== 'GET' && method !== 'DELETE';
    if ((item['body'] !== undefined || write) && (!headers['content-type'] || item['body'] === undefined)) {
      return error(
        400,
        'BadRequest',
        'Write request id : ' + id + ' does not contain Content-Type header or body.',
      );
    }
    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        matchesPath(f.path, record.path) &&
        (!f.method || f.method.toUpperCase() === method),
    );
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      return error(fault.status, fault.code, fault.message, fault.headers);
    }
    try {
      this.checkThrottle(method, true);
      const itemCtx: Ctx = {
        method,
        version: ctx.version,
        segments,
        query: record.query,
        body: item['body'],
        token: ctx.token,
        rawPath: url.pathname,
        rawSearch: url.search,
        headers,
      };
      this.refuse(itemCtx);
      return answer(this.route(itemCtx));
    } catch (err) {
      if (err instanceof GraphHttpError) return error(err.status, err.code, err.message, err.headers);
      throw err;
    }
  }

  /** Keeps the exchange for the contract suite, which holds it to Graph's published description. */
  private remember(record: GraphRequestRecord, segments: string[], bodyText: string, reply: Reply): void {
    if (!recording()) return;
    this.exchanges.push({
      request: {
        method: record.method,
        version: record.version,
        segments,
        query: record.query,
        headers: record.headers,
        body: record.body,
        hasBody: bodyText.trim() !== '',
      },
      response: { status: reply.status, body: reply.body },
      product: /graph-js/i.test(record.headers['sdkversion'] ?? ''),
      test: currentTest(),
    });
  }

  private authenticate(header: string | undefined): { token: GraphTokenInfo } | { error: string } {
    if (!header) return { error: 'Access token is empty.' };
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) return { error: 'Access token validation failure. Invalid authorization header.' };
    const verdict = this.entra.verifyToken(match[1], this.now());
    if (!verdict.ok) {
      switch (verdict.reason) {
        case 'malformed':
          return { error: 'IDX14100: JWT is not well formed, there are no dots (.).' };
        case 'signature':
          return { error: 'Access token validation failure. Invalid signature.' };
        case 'expired':
          return { error: 'Lifetime validation failed, the token is expired.' };
        case 'not_yet_valid':
          return { error: 'Lifetime validation failed, the token is not yet valid.' };
      }
    }
    const c = verdict.claims;
    if (typeof c['aud'] !== 'string' || !(GRAPH_AUDIENCES.has(c['aud']) || c['aud'] === this.url)) {
      return { error: 'Access token validation failure. Invalid audience.' };
    }
    const info: GraphTokenInfo = {};
    for (const k of ['oid', 'tid', 'idtyp', 'appid', 'scp', 'upn'] as const) {
      const v = c[k];
      if (typeof v === 'string') info[k] = v;
    }
    if (Array.isArray(c['roles'])) info.roles = c['roles'].map(String);
    return { token: info };
  }

  // ---------------------------------------------------------------------------------------------------------
  // Routing

  private route(ctx: Ctx): Reply {
    const [head, ...rest] = ctx.segments;
    if (head === undefined) throw new GraphHttpError(400, 'BadRequest', 'Invalid request.');
    const seg = parseSegment(head);
    switch (seg.name) {
      case 'users':
        return this.routeUsers(ctx, seg.key, rest);
      case 'servicePrincipals':
        return this.routeServicePrincipals(ctx, seg, rest);
      case 'deviceManagement':
        return this.routeDeviceManagement(ctx, rest);
      case 'identityGovernance':
        return this.routeIdentityGovernance(ctx, rest);
      case 'groups':
        return this.routeGroups(ctx, seg.key, rest);
      case 'auditLogs':
        return this.routeAuditLogs(ctx, rest);
      case 'contacts':
        return this.listContacts(ctx, seg.key, rest);
      case 'subscribedSkus':
        return this.listSubscribedSkus(ctx, seg.key, rest);
      default:
        throw segmentNotFound(seg.name);
    }
  }

  /** Transitive membership: a group's members may be groups (checkMemberGroups is transitive in Graph). */
  private isTransitiveMember(memberId: string, groupId: string, seen = new Set<string>()): boolean {
    if (seen.has(groupId)) return false;
    seen.add(groupId);
    const group = this.store.groups.find((g) => g.id.toLowerCase() === groupId.toLowerCase());
    if (!group) return false;
    return group.memberIds.some(
      (m) => m.toLowerCase() === memberId.toLowerCase() || this.isTransitiveMember(memberId, m, seen),
    );
  }

  private routeUsers(ctx: Ctx, parenKey: string | undefined, rest: string[]): Reply {
    const [key, action, ...extra] = parenKey !== undefined ? [parenKey, ...rest] : rest;
    if (key === undefined) {
      allow(ctx, 'GET');
      return this.listUsers(ctx);
    }
    if (parenKey === undefined && key === 'delta' && action === undefined) {
      allow(ctx, 'GET');
      try {
        return { status: 200, body: this.userDelta.answer(ctx.query, parseSelect(ctx), this.url) };
      } catch (err) {
        if (err instanceof DeltaRefusal)
          throw new GraphHttpError(err.status, err.code, err.message, err.headers);
        throw err;
      }
    }
    if (extra.length > 0) throw segmentNotFound(extra[0] ?? '');
    if (action === undefined) {
      allow(ctx, 'GET');
      const user = this.userOr404(key);
      return { status: 200, body: this.entity(ctx, 'users', userView(user, ctx, parseSelect(ctx))) };
    }
    if (action === 'checkMemberGroups') {
      allow(ctx, 'POST');
      const user = this.userOr404(key);
      const wanted = (ctx.body as { groupIds?: unknown } | undefined)?.groupIds;
      if (!Array.isArray(wanted) || wanted.length > 20) {
        throw new GraphHttpError(400, 'Request_BadRequest', 'groupIds must be an array of at most 20 ids.');
      }
      return {
        status: 200,
        body: { value: wanted.filter((g) => this.isTransitiveMember(user.id, String(g))) },
      };
    }
    if (action === 'retryServiceProvisioning') {
      allow(ctx, 'POST');
      return this.remediate(ctx, 'retryServiceProvisioning', this.findUser(key)?.id ?? key, [], () => {
        const user = this.userOr404(key);
        for (const e of user.serviceProvisioningErrors ?? []) e.isResolved = true;
        return { status: 204 };
      });
    }
    if (action === 'reprocessLicenseAssignment') {
      allow(ctx, 'POST');
      return this.remediate(ctx, 'reprocessLicenseAssignment', this.findUser(key)?.id ?? key, [], () => {
        const user = this.userOr404(key);
        if (!user.licenseStaysInError) {
          for (const s of user.licenseAssignmentStates ?? []) {
            if (s.state === 'Error' || s.state === 'ActiveWithError') {
              s.state = 'Active';
              s.error = null;
              s.lastUpdatedDateTime = new Date(this.now()).toISOString();
            }
          }
        }
        // The updated user, as a GET without $select answers it: licenseAssignmentStates is returned only on
        // $select, which a POST cannot carry, so the answer never has it.
        return { status: 200, body: this.entity(ctx, 'users', userView(user, ctx, undefined)) };
      });
    }
    throw segmentNotFound(action);
  }

  private listUsers(ctx: Ctx): Reply {
    const filter = this.filterOf(ctx);
    const seeded = new Set(this.data.users.map((u) => u.id));
    const generated: GraphUserSeed[] = [];
    for (let i = 0; this.generated && i < this.generated.count; i++) {
      const u = this.generated.user(i);
      if (!seeded.has(u.id)) generated.push(u);
    }
    const users = [...this.data.users, ...generated].filter((u) => !filter || matchesFilter(filter, u));
    const select = parseSelect(ctx);
    return this.collection(
      ctx,
      'users',
      users.map((u) => userView(u, ctx, select)),
      select,
    );
  }

  /** Members of a group whose licence from that group is in error (group-based licensing). */
  private licenseErrorMembers(group: GroupSeed): GraphUserSeed[] {
    return group.memberIds
      .map((id) => this.findUser(id))
      .filter((u): u is GraphUserSeed => u !== undefined)
      .filter((u) =>
        (u.licenseAssignmentStates ?? []).some(
          (s) => s.state === 'Error' && s.assignedByGroup?.toLowerCase() === group.id.toLowerCase(),
        ),
      );
  }

  private routeGroups(ctx: Ctx, parenKey: string | undefined, rest: string[]): Reply {
    const [key, nav, ...cast] = parenKey !== undefined ? [parenKey, ...rest] : rest;
    allow(ctx, 'GET');
    const extra = nav === 'members' && cast[0] === 'microsoft.graph.user' ? cast.slice(1) : cast;
    if (extra.length > 0) throw segmentNotFound(extra[0] ?? '');
    // hasMembersWithLicenseErrors can be filtered on but "is never returned on a GET" (group resource page).
    const view = (g: GroupSeed) => ({ id: g.id, displayName: g.displayName, mail: g.mail ?? null });
    const withErrors = (g: GroupSeed) => ({
      ...view(g),
      proxyAddresses: g.proxyAddresses ?? [],
      hasMembersWithLicenseErrors: this.licenseErrorMembers(g).length > 0,
    });
    if (key === undefined) {
      const filter = this.filterOf(ctx);
      const select = parseSelect(ctx)?.filter((p) => p !== 'hasMembersWithLicenseErrors');
      const list = this.data.groups.filter((g) => !filter || matchesFilter(filter, withErrors(g)));
      return this.collection(
        ctx,
        'groups',
        list.map((g) => project(view(g), select)),
        select,
      );
    }
    const group = this.data.groups.find((g) => g.id.toLowerCase() === key.toLowerCase());
    if (!group) throw resourceNotFound(key);
    if (nav === undefined) {
      const select = parseSelect(ctx)?.filter((p) => p !== 'hasMembersWithLicenseErrors');
      return { status: 200, body: this.entity(ctx, 'groups', project(view(group), select)) };
    }
    if (nav === 'members') {
      const select = parseSelect(ctx);
      const view = (u: GraphUserSeed) => ({
        '@odata.type': '#microsoft.graph.user',
        ...userView(u, ctx, select),
      });
      const seeded = group.memberIds
        .map((id) => this.findUser(id))
        .filter((u): u is GraphUserSeed => u !== undefined);
      const generated = group.generatedMembers ? (this.generated?.count ?? 0) : 0;
      const byId = new Map(this.data.users.map((u) => [u.id, u]));
      const made = (i: number) => {
        const u = (this.generated as GeneratedUsers).user(i);
        return byId.get(u.id) ?? u;
      };
      // Generated members are made only for the page asked for, so a 100,000-member group costs one page.
      const members = {
        length: seeded.length + generated,
        slice: (start: number, end: number) =>
          Array.from({ length: Math.max(0, Math.min(end, seeded.length + generated) - start) }, (_, k) => {
            const i = start + k;
            return view(i < seeded.length ? (seeded[i] as GraphUserSeed) : made(i - seeded.length));
          }),
      };
      return this.collection(ctx, 'directoryObjects', members, select, GROUP_MEMBERS_PAGE);
    }
    if (nav !== 'membersWithLicenseErrors') throw segmentNotFound(nav);
    const select = parseSelect(ctx);
    return this.collection(
      ctx,
      'directoryObjects',
      this.licenseErrorMembers(group).map((u) => ({
        '@odata.type': '#microsoft.graph.user',
        ...userView(u, ctx, select),
      })),
      select,
      GROUP_MEMBERS_PAGE,
    );
  }

  /** GET /contacts (orgContact-list): filters such as `proxyAddresses/any(p:p eq 'smtp:…')`, $select. */
  private listContacts(ctx: Ctx, key: string | undefined, rest: string[]): Reply {
    if (key !== undefined || rest.length > 0) throw segmentNotFound(key ?? rest[0] ?? '');
    allow(ctx, 'GET');
    const filter = this.filterOf(ctx);
    const select = parseSelect(ctx);
    const list = this.data.contacts.filter(
      (c) => !filter || matchesFilter(filter, { ...c, proxyAddresses: c.proxyAddresses ?? [] }),
    );
    return this.collection(
      ctx,
      'contacts',
      list.map((c) =>
        project(
          {
            id: c.id,
            displayName: c.displayName,
            mail: c.mail ?? null,
            proxyAddresses: c.proxyAddresses ?? [],
          },
          select,
        ),
      ),
      select,
    );
  }

  /**
   * GET /subscribedSkus (subscribedsku-list): every product of the tenant. "Query filter expressions aren't
   * supported" (subscribedSku resource page), so a $filter is refused as Graph refuses it.
   */
  private listSubscribedSkus(ctx: Ctx, key: string | undefined, rest: string[]): Reply {
    if (key !== undefined || rest.length > 0) throw segmentNotFound(key ?? rest[0] ?? '');
    allow(ctx, 'GET');
    if (ctx.query['$filter'] !== undefined) {
      throw new GraphHttpError(400, 'Request_UnsupportedQuery', 'Unsupported query.');
    }
    const select = parseSelect(ctx);
    return this.collection(
      ctx,
      'subscribedSkus',
      this.data.subscribedSkus.map((s) =>
        project(
          {
            accountId: CONTOSO_ACCOUNT,
            accountName: 'Contoso',
            appliesTo: 'User',
            capabilityStatus: 'Enabled',
            consumedUnits: s.consumedUnits,
            id: `${CONTOSO_ACCOUNT}_${s.skuId}`,
            prepaidUnits: { enabled: s.enabledUnits, lockedOut: 0, suspended: 0, warning: 0 },
            servicePlans: (s.servicePlans ?? []).map((p) => ({
              ...p,
              appliesTo: 'User',
              provisioningStatus: 'Success',
            })),
            skuId: s.skuId,
            skuPartNumber: s.skuPartNumber,
            subscriptionIds: [],
          },
          select,
        ),
      ),
      select,
    );
  }

  private routeAuditLogs(ctx: Ctx, rest: string[]): Reply {
    const [collection, ...extra] = rest;
    if (collection !== 'provisioning') throw segmentNotFound(collection ?? 'auditLogs');
    if (extra.length > 0) throw segmentNotFound(extra[0] ?? '');
    allow(ctx, 'GET');
    const filter = this.filterOf(ctx);
    const select = parseSelect(ctx);
    const list = [...this.data.provisioningLogs]
      .sort((a, b) => Date.parse(b.activityDateTime) - Date.parse(a.activityDateTime))
      .filter((e) => !filter || matchesFilter(filter, e, this.caseSensitive(ctx, '/auditLogs/provisioning')));
    return this.collection(
      ctx,
      'auditLogs/provisioning',
      list.map((e) => project(structuredClone(e) as unknown as Record<string, unknown>, select)),
      select,
    );
  }

  private routeServicePrincipals(ctx: Ctx, seg: Segment, rest: string[]): Reply {
    let sp: ServicePrincipalSeed | undefined;
    let tail = rest;
    if (seg.altKey) {
      const { prop, value } = seg.altKey;
      if (prop !== 'appId')
        throw new GraphHttpError(400, 'BadRequest', `Unsupported alternate key '${prop}'.`);
      sp = this.data.servicePrincipals.find((s) => s.appId.toLowerCase() === value.toLowerCase());
      if (!sp) throw resourceNotFound(`servicePrincipals(appId='${value}')`);
    } else if (seg.key !== undefined || rest.length > 0) {
      const id = seg.key ?? rest[0] ?? '';
      tail = seg.key !== undefined ? rest : rest.slice(1);
      sp = this.data.servicePrincipals.find((s) => s.id === id);
      if (!sp) throw resourceNotFound(id);
    }
    if (!sp) {
      allow(ctx, 'GET');
      const filter = this.filterOf(ctx);
      const list = this.data.servicePrincipals.filter((s) => !filter || matchesFilter(filter, s));
      const select = parseSelect(ctx);
      return this.collection(
        ctx,
        'servicePrincipals',
        list.map((s) => project(spView(s), select)),
        select,
      );
    }
    if (tail.length === 0) {
      allow(ctx, 'GET');
      return {
        status: 200,
        body: this.entity(ctx, 'servicePrincipals', project(spView(sp), parseSelect(ctx))),
      };
    }
    const [synchronization, jobs, jobId, action, ...extra] = tail;
    if (synchronization !== 'synchronization') throw segmentNotFound(synchronization ?? '');
    if (jobs !== 'jobs') throw segmentNotFound(jobs ?? '');
    const spJobs = this.data.synchronizationJobs[sp.id] ?? [];
    if (jobId === undefined) {
      allow(ctx, 'GET');
      return this.collection(
        ctx,
        `servicePrincipals('${sp.id}')/synchronization/jobs`,
        spJobs.map(jobView),
        undefined,
      );
    }
    if (extra.length > 0) throw segmentNotFound(extra[0] ?? '');
    const job = spJobs.find((j) => j.id === jobId);
    const jobOr404 = (): SynchronizationJobSeed => {
      if (!job)
        throw new GraphHttpError(
          404,
          'ResourceNotFound',
          `The synchronization job '${jobId}' was not found.`,
        );
      return job;
    };
    if (action === undefined) {
      allow(ctx, 'GET');
      return {
        status: 200,
        body: this.entity(ctx, `servicePrincipals('${sp.id}')/synchronization/jobs`, jobView(jobOr404())),
      };
    }
    if (action === 'schema') {
      allow(ctx, 'GET');
      const j = jobOr404();
      return {
        status: 200,
        body: {
          '@odata.context': `${this.url}/${ctx.version}/$metadata#servicePrincipals('${sp.id}')/synchronization/jobs('${j.id}')/schema/$entity`,
          id: j.id,
          version: 'Date:2024-01-01T00:00:00Z;',
          synchronizationRules: j.schema.synchronizationRules.map((r) => ({
            ...r,
            priority: 1,
            metadata: [],
            objectMappings: [],
          })),
        },
      };
    }
    if (action === 'provisionOnDemand') {
      allow(ctx, 'POST');
      const subjects = podSubjectIds(ctx.body);
      const owner = sp;
      return this.remediate(ctx, 'provisionOnDemand', jobId, subjects, () =>
        this.provisionOnDemand(ctx, owner, jobOr404()),
      );
    }
    throw segmentNotFound(action);
  }

  private provisionOnDemand(ctx: Ctx, sp: ServicePrincipalSeed, job: SynchronizationJobSeed): Reply {
    const params = normalizePodBody(ctx.body);
    for (const p of params) {
      if (!job.schema.synchronizationRules.some((r) => r.id === p.ruleId)) {
        throw new GraphHttpError(
          400,
          'BadRequest',
          `The synchronization rule '${p.ruleId}' was not found in the schema of job '${job.id}'.`,
        );
      }
    }
    const now = this.now();
    const history = (this.podHistory.get(job.id) ?? []).filter((t) => t > now - POD_WINDOW_MS);
    if (history.length >= POD_LIMIT) {
      const oldest = history[0] ?? now;
      const retryAfter = Math.max(1, Math.ceil((oldest + POD_WINDOW_MS - now) / 1000));
      this.podHistory.set(job.id, history);
      throw new GraphHttpError(
        429,
        'TooManyRequests',
        `Too many requests. The rate limit for provisionOnDemand is ${POD_LIMIT} requests per 10 seconds.`,
        { 'retry-after': String(retryAfter) },
      );
    }
    history.push(now);
    this.podHistory.set(job.id, history);
    if (this.opts.provisionOnDemandLegacy204) return { status: 204 };

    const subjects = params.flatMap((p) => p.subjects);
    const outcomes = subjects.map((s) => ({ subject: s, outcome: this.podOutcome(s.objectId) }));
    const worst =
      outcomes.find((o) => o.outcome.result === 'Failure') ??
      outcomes.find((o) => o.outcome.result === 'Skipped') ??
      outcomes[0];
    const result = worst?.outcome.result ?? 'Success';
    const details =
      result === 'Success' || !worst
        ? {}
        : {
            errorCode: worst.outcome.errorCode ?? defaultPodCode(result),
            errorMessage: worst.outcome.reason ?? defaultPodReason(result),
          };
    const first = worst ?? outcomes[0];
    return {
      status: 200,
      body: {
        '@odata.context': `${this.url}/${ctx.version}/$metadata#microsoft.graph.stringKeyStringValuePair`,
        '@odata.type': '#microsoft.graph.stringKeyStringValuePair',
        key: JSON.stringify({ result, details }),
        value: JSON.stringify(first ? this.podValue(sp, first.subject, first.outcome) : {}),
      },
    };
  }

  private podOutcome(objectId: string): ProvisionOnDemandResultSeed {
    const seeded = this.data.provisionOnDemandResults[objectId];
    if (seeded === undefined) return { result: 'Success' };
    return typeof seeded === 'string' ? { result: seeded } : seeded;
  }

  private podValue(
    sp: ServicePrincipalSeed,
    subject: PodSubject,
    outcome: ProvisionOnDemandResultSeed,
  ): Record<string, unknown> {
    const ts = new Date(this.now()).toISOString();
    const user = this.findUser(subject.objectId);
    const upn = user?.userPrincipalName ?? subject.objectId;
    const step = (
      name: string,
      type: string,
      status: string,
      description: string,
      details: Record<string, string> = {},
    ): Record<string, unknown> => ({
      name,
      type,
      status,
      description,
      timestamp: ts,
      details,
    });
    const skipCode = outcome.errorCode ?? defaultPodCode('Skipped') ?? '';
    const skipReason = outcome.reason ?? defaultPodReason('Skipped');
    // A skip for a user out of scope stops at scoping; an already matching user (RedundantExport, the page's
    // example) passes scoping and is skipped at export.
    const outOfScope = outcome.result === 'Skipped' && !/redundant/i.test(skipCode);
    const steps = [
      step(
        'EntryImport',
        'Import',
        'Success',
        `Retrieved ${subject.type} '${upn}' from Azure Active Directory`,
      ),
      step(
        'EntrySynchronizationScoping',
        'Scoping',
        outOfScope ? 'Skipped' : 'Success',
        outOfScope
          ? skipReason
          : `Determine if ${subject.type} in scope by evaluating against each scoping filter`,
        outOfScope ? { SkipReason: skipCode } : {},
      ),
    ];
    if (!outOfScope)
      steps.push(step('EntryImport', 'Matching', 'Success', `Retrieved '${upn}' from ${sp.displayName}`));
    if (outcome.result === 'Success') {
      steps.push(
        step(
          'EntryExportAdd',
          'Export',
          'Success',
          `${subject.type} '${upn}' was created in ${sp.displayName}`,
        ),
      );
    } else if (outcome.result === 'Failure') {
      steps.push(step('EntryExportAdd', 'Export', 'Failure', outcome.reason ?? defaultPodReason('Failure')));
    } else if (!outOfScope) {
      steps.push(step('EntrySynchronizationSkip', 'Export', 'Skipped', skipReason, { SkipReason: skipCode }));
    }
    return {
      action: outcome.result === 'Success' ? 'Create' : 'Other',
      changeId: randomUUID(),
      startTime: ts,
      endTime: ts,
      modifiedProperties:
        outcome.result === 'Success'
          ? [
              { displayName: 'objectId', oldValue: null, newValue: subject.objectId },
              { displayName: 'userPrincipalName', oldValue: null, newValue: upn },
            ]
          : [],
      provisioningSteps: steps,
      reportableIdentifier: upn,
      // A skip's code and reason are in the key only: the page's example has this statusInfo for Skipped.
      statusInfo: {
        status: outcome.result,
        errorCode: outcome.result === 'Failure' ? (outcome.errorCode ?? defaultPodCode('Failure')) : null,
        reason: outcome.result === 'Failure' ? (outcome.reason ?? defaultPodReason('Failure')) : null,
        additionalDetails: null,
        errorCategory: outcome.result === 'Failure' ? 'NonServiceFailure' : null,
        recommendedAction: outcome.result === 'Failure' ? (outcome.recommendedAction ?? null) : null,
      },
      sourceIdentity: {
        id: subject.objectId,
        type: subject.type,
        displayName: user?.displayName ?? null,
        details: null,
      },
      sourceSystem: { id: null, name: 'Azure Active Directory', details: null },
      targetIdentity: {
        id: null,
        type: 'urn:ietf:params:scim:schemas:core:2.0:User',
        displayName: null,
        details: null,
      },
      targetSystem: { id: null, name: sp.displayName, details: null },
    };
  }

  private routeDeviceManagement(ctx: Ctx, rest: string[]): Reply {
    const [virtualEndpoint, collection, id, action, ...extra] = rest;
    if (virtualEndpoint !== 'virtualEndpoint') throw segmentNotFound(virtualEndpoint ?? 'deviceManagement');
    if (collection !== 'provisioningPolicies' && collection !== 'cloudPCs')
      throw segmentNotFound(collection ?? '');
    if (ctx.version !== 'beta') throw segmentNotFound(collection);
    if (extra.length > 0) throw segmentNotFound(extra[0] ?? '');
    const set = `deviceManagement/virtualEndpoint/${collection}`;
    if (collection === 'cloudPCs') {
      if (action !== undefined) throw segmentNotFound(action);
      allow(ctx, 'GET');
      if (id !== undefined) {
        const pc = this.data.cloudPcs.find((p) => p.id === id);
        if (!pc) throw new GraphHttpError(404, 'ResourceNotFound', `Cloud PC '${id}' was not found.`);
        return { status: 200, body: this.entity(ctx, set, project(cloudPcView(pc), parseSelect(ctx))) };
      }
      const filter = this.filterOf(ctx);
      const select = parseSelect(ctx);
      const list = this.data.cloudPcs.filter((p) => !filter || matchesFilter(filter, p));
      return this.collection(
        ctx,
        set,
        list.map((p) => project(cloudPcView(p), select)),
        select,
      );
    }
    if (id === undefined) {
      allow(ctx, 'GET');
      const select = parseSelect(ctx);
      return this.collection(
        ctx,
        set,
        this.data.provisioningPolicies.map((p) => project(policyView(p), select)),
        select,
      );
    }
    const policy = this.data.provisioningPolicies.find((p) => p.id === id);
    if (action === undefined) {
      allow(ctx, 'GET');
      if (!policy)
        throw new GraphHttpError(404, 'ResourceNotFound', `Provisioning policy '${id}' was not found.`);
      return { status: 200, body: this.entity(ctx, set, project(policyView(policy), parseSelect(ctx))) };
    }
    if (action !== 'retry') throw segmentNotFound(action);
    allow(ctx, 'POST');
    return this.remediate(ctx, 'retryCloudPcPolicy', id, [], () => {
      if (!policy)
        throw new GraphHttpError(404, 'ResourceNotFound', `Provisioning policy '${id}' was not found.`);
      for (const pc of this.data.cloudPcs) {
        if (pc.provisioningPolicyId === id && pc.status === 'failed') {
          pc.status = 'provisioning';
          pc.statusDetail = null;
        }
      }
      return { status: this.opts.cloudPcRetryStatus ?? 202 };
    });
  }

  private routeIdentityGovernance(ctx: Ctx, rest: string[]): Reply {
    const [em, collection, id, action, ...extra] = rest;
    if (em !== 'entitlementManagement') throw segmentNotFound(em ?? 'identityGovernance');
    if (collection !== 'assignmentRequests' && collection !== 'accessPackageAssignmentRequests') {
      throw segmentNotFound(collection ?? '');
    }
    if (extra.length > 0) throw segmentNotFound(extra[0] ?? '');
    const set = `identityGovernance/entitlementManagement/${collection}`;
    if (id === undefined) {
      allow(ctx, 'GET');
      const filter = this.filterOf(ctx);
      const select = parseSelect(ctx);
      const list = this.data.accessPackageAssignmentRequests.filter(
        (r) => !filter || matchesFilter(filter, r),
      );
      return this.collection(
        ctx,
        set,
        list.map((r) => project(accessRequestView(r, expandOf(ctx)), select)),
        select,
      );
    }
    const find = (): AccessPackageAssignmentRequestSeed => {
      if (!GUID.test(id))
        throw new GraphHttpError(400, 'BadRequest', `Invalid request id '${id}': the id must be a GUID.`);
      const found = this.data.accessPackageAssignmentRequests.find(
        (r) => r.id.toLowerCase() === id.toLowerCase(),
      );
      if (!found)
        throw new GraphHttpError(
          404,
          'ResourceNotFound',
          `Access package assignment request '${id}' was not found.`,
        );
      return found;
    };
    if (action === undefined) {
      allow(ctx, 'GET');
      return {
        status: 200,
        body: this.entity(ctx, set, project(accessRequestView(find(), expandOf(ctx)), parseSelect(ctx))),
      };
    }
    if (action !== 'reprocess') throw segmentNotFound(action);
    allow(ctx, 'POST');
    return this.remediate(ctx, 'reprocessAccessRequest', id, [], () => {
      const request = find();
      if (request.state !== 'deliveryFailed' && request.state !== 'partiallyDelivered') {
        throw new GraphHttpError(
          400,
          'InvalidRequestState',
          `The request must be in DeliveryFailed or PartiallyDelivered state to be reprocessed; it is '${request.state}'.`,
        );
      }
      request.state = 'delivering';
      request.status = 'Delivering';
      return { status: 202 };
    });
  }

  // ---------------------------------------------------------------------------------------------------------
  // Helpers

  /**
   * Authorizes a remediation, counts it, and runs it. A delegated token needs one of the call's scopes (scp, what
   * the app registration was consented for) and its user one of the call's roles; either missing is Graph's 403.
   */
  private remediate(
    ctx: Ctx,
    kind: RemediationKind,
    target: string,
    extraTargets: string[],
    run: () => Reply,
  ): Reply {
    const targets = [target, ...extraTargets];
    bump(this.attempts, kind, targets);
    const token = ctx.token;
    const isApp = token.idtyp === 'app' || token.scp === undefined;
    const scopes = new Set((token.scp ?? '').split(' ').map((s) => s.toLowerCase()));
    const consented = REMEDIATION_SCOPES[kind].some((s) => scopes.has(s.toLowerCase()));
    const held = (token.oid !== undefined ? this.data.roles[token.oid] : undefined) ?? [];
    const accepted = REMEDIATION_ROLES[kind].map((r) => r.toLowerCase());
    if (isApp || !consented || !held.some((r) => accepted.includes(r.toLowerCase()))) {
      throw new GraphHttpError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
    }
    const reply = run();
    if (reply.status >= 200 && reply.status < 300) bump(this.calls, kind, targets);
    return reply;
  }

  private userOr404(key: string): GraphUserSeed {
    const user = this.findUser(key);
    if (!user) throw resourceNotFound(key);
    return user;
  }

  /** The request's parsed $filter (refuse() has already held it to the capability table). */
  private filterOf(ctx: Ctx) {
    const raw = ctx.query['$filter'];
    if (raw === undefined) return undefined;
    try {
      return parseFilter(raw);
    } catch (err) {
      if (err instanceof FilterSyntaxError) {
        throw new GraphHttpError(400, 'BadRequest', `Invalid filter clause: ${err.message}.`);
      }
      throw err;
    }
  }

  /**
   * Answers 400 where Graph would: a $select, $expand, $filter, $orderby or $top the published description
   * and the capability table do not allow, or a query that needs (or refuses) the advanced-query headers.
   * The same checker the contract suite uses, so the fake cannot accept what Graph refuses.
   */
  private refuse(ctx: Ctx): void {
    contract ??= new GraphContract();
    const req: ContractRequest = {
      method: ctx.method,
      version: ctx.version,
      segments: ctx.segments,
      query: ctx.query,
      headers: ctx.headers,
      body: ctx.body,
      hasBody: ctx.body !== undefined,
    };
    const { resolved, violations } = contract.checkRequest(req, false);
    const v = violations.find((x) => REFUSED_RULES.has(x.rule));
    if (!resolved || !v) return;
    const directory = DIRECTORY.test(resolved.template);
    const code = !directory
      ? 'BadRequest'
      : ['$filter', '$orderby', 'advanced-query'].includes(v.rule)
        ? 'Request_UnsupportedQuery'
        : 'Request_BadRequest';
    const text =
      v.rule === '$filter' && directory
        ? `Unsupported or invalid query filter clause specified: ${v.message}.`
        : `Invalid ${v.rule} query: ${v.message}.`;
    throw new GraphHttpError(400, code, text);
  }

  /** True when the collection's page says its filters are case sensitive (the provisioning log). */
  private caseSensitive(ctx: Ctx, collection: string): boolean {
    return QUERY_CAPABILITIES.properties.some(
      (p) => p.version === ctx.version && p.collection === collection && p.caseSensitive,
    );
  }

  private entity(ctx: Ctx, set: string, value: Record<string, unknown>): Record<string, unknown> {
    return { '@odata.context': `${this.url}/${ctx.version}/$metadata#${set}/$entity`, ...value };
  }

  /** `defaultPage`: the page size Graph uses without `$top`, where the collection's pages state one. */
  private collection(
    ctx: Ctx,
    set: string,
    items: { readonly length: number; slice(start: number, end: number): Array<Record<string, unknown>> },
    select: string[] | undefined,
    defaultPage?: number,
  ): Reply {
    const topRaw = ctx.query['$top'];
    let top: number | undefined;
    if (topRaw !== undefined) {
      top = Number(topRaw);
      if (!Number.isInteger(top) || top < 1 || top > 999) {
        throw new GraphHttpError(
          400,
          'Request_BadRequest',
          `Invalid page size specified: '${topRaw}'. Must be between 1 and 999 inclusive.`,
        );
      }
    }
    // Server-driven paging: the fake's page size caps $top, as Graph's own limits do.
    const size = Math.min(top ?? defaultPage ?? items.length, this.opts.pageSize ?? items.length) || 1;
    const token = ctx.query['$skiptoken'];
    const offset = token === undefined ? 0 : decodeSkipToken(token);
    const page = items.slice(offset, offset + size);
    const body: Record<string, unknown> = {
      '@odata.context': `${this.url}/${ctx.version}/$metadata#${set}${select ? `(${select.join(',')})` : ''}`,
    };
    if (offset + size < items.length) {
      const kept = ctx.rawSearch
        .replace(/^\?/, '')
        .split('&')
        .filter((p) => p && !/^(\$|%24)skiptoken=/i.test(p));
      kept.push(`$skiptoken=${encodeSkipToken(offset + size)}`);
      body['@odata.nextLink'] = `${this.url}${ctx.rawPath}?${kept.join('&')}`;
    }
    body['value'] = page;
    return { status: 200, body };
  }
}

/**
 * A group's members per page without `$top`: server-side paging returns "a default of 100 results in a single
 * page" for directory collections such as /users (graph/paging); group-list-members allows `$top` up to 999.
 */
const GROUP_MEMBERS_PAGE = 100;

// -------------------------------------------------------------------------------------------------------------
// Module helpers

interface Segment {
  name: string;
  key?: string;
  altKey?: { prop: string; value: string };
}

/** The account id subscribedSkus name (the tenant's billing account in the fake). */
const CONTOSO_ACCOUNT = 'c0000000-0000-4000-8000-000000000001';

interface PodSubject {
  objectId: string;
  type: string;
}

function emptyStore(): GraphStore {
  return {
    users: [],
    provisioningPolicies: [],
    cloudPcs: [],
    accessPackageAssignmentRequests: [],
    servicePrincipals: [],
    synchronizationJobs: {},
    roles: {},
    provisionOnDemandResults: {},
    groups: [],
    provisioningLogs: [],
    contacts: [],
    subscribedSkus: [],
  };
}

function stripUndefined(seed: GraphSeed): Partial<GraphStore> {
  return Object.fromEntries(Object.entries(seed).filter(([, v]) => v !== undefined)) as Partial<GraphStore>;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Parses `users`, `users('id')` and `servicePrincipals(appId='x')`. */
function parseSegment(segment: string): Segment {
  const m = /^([A-Za-z]+)\((.*)\)$/.exec(segment);
  if (!m) return { name: segment };
  const name = m[1] ?? '';
  const inner = m[2] ?? '';
  const alt = /^([A-Za-z]+)='((?:[^']|'')*)'$/.exec(inner);
  if (alt) return { name, altKey: { prop: alt[1] ?? '', value: (alt[2] ?? '').replace(/''/g, "'") } };
  const lit = /^'((?:[^']|'')*)'$/.exec(inner);
  if (lit) return { name, key: (lit[1] ?? '').replace(/''/g, "'") };
  return { name, key: inner };
}

function matchesPath(matcher: string | RegExp, path: string): boolean {
  return typeof matcher === 'string' ? path.includes(matcher) : matcher.test(path);
}

function segmentNotFound(segment: string): GraphHttpError {
  return new GraphHttpError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
}

function resourceNotFound(id: string): GraphHttpError {
  return new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}

function allow(ctx: Ctx, method: string): void {
  if (ctx.method !== method) {
    throw new GraphHttpError(
      405,
      'Request_BadRequest',
      'Specified HTTP method is not allowed for the request target.',
    );
  }
}

function counterKey(kind: RemediationKind, target: string | undefined): string {
  return target === undefined ? kind : `${kind}|${target.toLowerCase()}`;
}

function bump(map: Map<string, number>, kind: RemediationKind, targets: string[]): void {
  map.set(kind, (map.get(kind) ?? 0) + 1);
  for (const t of new Set(targets.map((x) => x.toLowerCase()))) {
    const key = counterKey(kind, t);
    map.set(key, (map.get(key) ?? 0) + 1);
  }
}

function encodeSkipToken(offset: number): string {
  return Buffer.from(`fake-skip:${offset}`).toString('base64url');
}

function decodeSkipToken(token: string): number {
  const m = /^fake-skip:(\d+)$/.exec(Buffer.from(token, 'base64url').toString('utf8'));
  if (!m)
    throw new GraphHttpError(
      400,
      'Request_BadRequest',
      'The specified page token value has expired or is invalid.',
    );
  return Number(m[1]);
}

function parseSelect(ctx: Ctx): string[] | undefined {
  const raw = ctx.query['$select'];
  if (raw === undefined) return undefined;
  return raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}

function project(value: Record<string, unknown>, select: string[] | undefined): Record<string, unknown> {
  if (!select) return value;
  return Object.fromEntries(select.map((p) => [p, value[p] ?? null]));
}

function fullUser(u: GraphUserSeed): Record<string, unknown> {
  return {
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName ?? null,
    jobTitle: u.jobTitle ?? null,
    mail: u.mail ?? null,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: null,
    surname: u.surname ?? null,
    userPrincipalName: u.userPrincipalName,
    accountEnabled: u.accountEnabled ?? true,
    department: u.department ?? null,
    usageLocation: u.usageLocation ?? null,
    userType: u.userType ?? 'Member',
    proxyAddresses: [...(u.proxyAddresses ?? [])],
    serviceProvisioningErrors: (u.serviceProvisioningErrors ?? []).map((e) => ({
      '@odata.type': '#microsoft.graph.serviceProvisioningXmlError',
      createdDateTime: e.createdDateTime,
      isResolved: e.isResolved,
      serviceInstance: e.serviceInstance,
      errorDetail: e.errorDetail ?? null,
    })),
    licenseAssignmentStates: (u.licenseAssignmentStates ?? []).map((s) => ({ ...s })),
    assignedLicenses: (u.assignedLicenses ?? []).map((l) => ({ ...l })),
  };
}

/** v1.0 returns only the default property set without $select; beta returns everything the fake models. */
function userView(u: GraphUserSeed, ctx: Ctx, select: string[] | undefined): Record<string, unknown> {
  const full = fullUser(u);
  if (select) return project(full, select);
  return ctx.version === 'beta' ? full : project(full, USER_DEFAULT_PROPERTIES);
}

function spView(s: ServicePrincipalSeed): Record<string, unknown> {
  return {
    id: s.id,
    appId: s.appId,
    displayName: s.displayName,
    servicePrincipalType: 'Application',
    accountEnabled: true,
  };
}

function jobView(j: SynchronizationJobSeed): Record<string, unknown> {
  return {
    id: j.id,
    templateId: j.templateId,
    schedule: j.schedule ?? { expiration: null, interval: 'PT40M', state: 'Active' },
    status: {
      code: j.status.code,
      lastExecution: j.status.lastExecution ?? null,
      quarantine: j.status.quarantine ?? null,
      countSuccessiveCompleteFailures: 0,
      escrowsPruned: false,
      steadyStateFirstAchievedTime: '0001-01-01T00:00:00Z',
      troubleshootingUrl: null,
    },
    synchronizationJobSettings: [],
  };
}

function policyView(p: ProvisioningPolicySeedLike): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.cloudPcProvisioningPolicy',
    id: p.id,
    displayName: p.displayName,
    description: p.description ?? '',
    provisioningType: p.provisioningType,
    imageDisplayName: p.imageDisplayName ?? 'Windows 11 Enterprise + Microsoft 365 Apps 24H2',
    imageId: p.imageId ?? 'microsoftwindowsdesktop_windows-ent-cpc_win11-24H2-ent-cpc-m365',
    imageType: p.imageType ?? 'gallery',
  };
}

type ProvisioningPolicySeedLike = GraphStore['provisioningPolicies'][number];

function cloudPcView(pc: GraphStore['cloudPcs'][number]): Record<string, unknown> {
  return {
    '@odata.type': '#microsoft.graph.cloudPC',
    id: pc.id,
    displayName: pc.displayName,
    status: pc.status,
    provisioningPolicyId: pc.provisioningPolicyId,
    provisioningPolicyName: pc.provisioningPolicyName ?? null,
    userPrincipalName: pc.userPrincipalName,
    managedDeviceName: pc.managedDeviceName ?? null,
    statusDetail: pc.statusDetail ?? null,
  };
}

/** An assignment request; its navigation properties only when `$expand` names them, as in Graph. */
function accessRequestView(
  r: AccessPackageAssignmentRequestSeed,
  expand: ReadonlySet<string>,
): Record<string, unknown> {
  return {
    id: r.id,
    requestType: r.requestType,
    state: r.state,
    status: r.status,
    createdDateTime: r.createdDateTime,
    completedDateTime: r.completedDateTime ?? null,
    justification: r.justification ?? null,
    ...(expand.has('accessPackage') ? { accessPackage: { ...r.accessPackage } } : {}),
    ...(expand.has('requestor') ? { requestor: { ...r.requestor } } : {}),
    ...(expand.has('assignment') ? { assignment: r.assignment ? { ...r.assignment } : null } : {}),
  };
}

function expandOf(ctx: Ctx): Set<string> {
  return new Set(
    (ctx.query['$expand'] ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean),
  );
}

function podSubjectIds(body: unknown): string[] {
  try {
    return normalizePodBody(body).flatMap((p) => p.subjects.map((s) => s.objectId));
  } catch {
    return [];
  }
}

/** Accepts `{parameters:[{ruleId, subjects:[{objectId, objectTypeName}]}]}` and the older flat shape. */
function normalizePodBody(body: unknown): Array<{ ruleId: string; subjects: PodSubject[] }> {
  const bad = (why: string): GraphHttpError =>
    new GraphHttpError(400, 'BadRequest', `Invalid provisionOnDemand request body: ${why}`);
  if (!isObject(body)) throw bad('expected a JSON object.');
  const subjectsOf = (raw: unknown, typeProp: 'objectTypeName' | 'objectType'): PodSubject[] => {
    if (!Array.isArray(raw) || raw.length === 0) throw bad('subjects must be a non-empty array.');
    return raw.map((s: unknown) => {
      if (!isObject(s) || typeof s['objectId'] !== 'string' || s['objectId'] === '')
        throw bad('each subject needs an objectId.');
      const type = s[typeProp];
      if (typeof type !== 'string' || !['user', 'group'].includes(type.toLowerCase())) {
        throw bad(`each subject needs ${typeProp} 'User' or 'Group'.`);
      }
      return { objectId: s['objectId'], type: type.toLowerCase() === 'user' ? 'User' : 'Group' };
    });
  };
  if ('parameters' in body) {
    const params = body['parameters'];
    if (!Array.isArray(params) || params.length === 0) throw bad('parameters must be a non-empty array.');
    return params.map((p: unknown) => {
      if (!isObject(p) || typeof p['ruleId'] !== 'string' || p['ruleId'] === '')
        throw bad('each parameter needs a ruleId.');
      return { ruleId: p['ruleId'], subjects: subjectsOf(p['subjects'], 'objectTypeName') };
    });
  }
  if (typeof body['ruleId'] === 'string' && body['ruleId'] !== '') {
    return [{ ruleId: body['ruleId'], subjects: subjectsOf(body['subjects'], 'objectType') }];
  }
  throw bad("expected 'parameters'.");
}

function defaultPodCode(result: 'Success' | 'Skipped' | 'Failure'): string | null {
  return result === 'Skipped'
    ? 'RedundantExport'
    : result === 'Failure'
      ? 'SystemForCrossDomainIdentityManagementBadResponse'
      : null;
}

function defaultPodReason(result: 'Success' | 'Skipped' | 'Failure'): string {
  return result === 'Skipped'
    ? 'The state of the user in both the source and target systems already match.'
    : result === 'Failure'
      ? 'The target application returned an error while the user was being created.'
      : '';
}
