import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

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
import { isObject } from './jwt';

/** What a connector request did. */
export type ConnectorRequestKind =
  | 'send'
  | 'reply'
  | 'update'
  | 'delete'
  | 'createConversation'
  | 'getMembers'
  | 'getPagedMembers'
  | 'getMember'
  | 'unknown';

/** One request to the fake Bot Connector. */
export interface ConnectorRequestRecord {
  kind: ConnectorRequestKind;
  method: string;
  /** Path as sent (still URL-encoded). */
  path: string;
  /** Decoded conversation id, e.g. '19:abc@thread.tacv2;messageid=1700000000001'. */
  conversationId?: string;
  /** Activity id from the URL (reply target, updated or deleted activity). */
  activityId?: string;
  /** Parsed JSON body (the activity for send/reply/update). */
  body: unknown;
  /** Lower-cased; authorization is '***'. */
  headers: Record<string, string>;
  /** Whether an Authorization header was present. */
  authorized: boolean;
  /** Epoch ms (real clock). */
  at: number;
  status: number;
  /** Id the fake assigned to a sent/replied activity or created conversation. */
  newId?: string;
}

/** A person a message @mentions, as Teams notifies them. */
export interface HonouredMention {
  /** The `<at>…</at>` text, as it stands in the message. */
  text: string;
  id: string;
  name: string;
}

/**
 * The @mentions Teams acts on in a message the bot sent: each `mention` entity with a `mentioned` id and
 * name whose `text` stands in the message text; "If it doesn't, the mention is ignored"
 * (learn.microsoft.com/microsoftteams/platform/bots/how-to/conversations/channel-and-group-conversations).
 */
export function honouredMentions(activity: unknown): HonouredMention[] {
  if (!isObject(activity) || typeof activity['text'] !== 'string') return [];
  const text = activity['text'];
  const entities = Array.isArray(activity['entities']) ? (activity['entities'] as unknown[]) : [];
  return entities.flatMap((e) => {
    if (!isObject(e) || e['type'] !== 'mention' || typeof e['text'] !== 'string') return [];
    const mentioned = e['mentioned'];
    if (!isObject(mentioned) || typeof mentioned['id'] !== 'string' || !mentioned['id']) return [];
    if (!/^<at>[^<]+<\/at>$/.test(e['text']) || !text.includes(e['text'])) return [];
    return [{ text: e['text'], id: mentioned['id'], name: String(mentioned['name'] ?? '') }];
  });
}

/** A Teams channel account as the connector returns it for member lookups. */
export interface ConnectorMemberSeed {
  /** '29:…' Teams user id. */
  id: string;
  name: string;
  aadObjectId: string;
  email?: string;
  userPrincipalName?: string;
  givenName?: string;
  surname?: string;
  tenantId?: string;
  userRole?: 'user' | 'guest' | 'bot';
}

/** An injected connector failure. */
export interface ConnectorFault {
  method?: string;
  pathContains?: string;
  status: number;
  headers?: Record<string, string>;
  /** Default `{error:{code,message}}`. */
  body?: unknown;
  code?: string;
  message?: string;
  times?: number;
}

/** Options for {@link FakeConnector.start}. */
export interface FakeConnectorOptions {
  /** Members per conversation id; '*' applies to every conversation. */
  members?: Record<string, ConnectorMemberSeed[]>;
  /** Answer 401 when no Authorization header is sent. Default false. */
  requireAuth?: boolean;
  /** First numeric activity id handed out; default 1700000100000. */
  firstActivityId?: number;
  /**
   * Service time of every request before it is answered and recorded, like the real service's round trip;
   * default 0. A function is asked once per request, so a benchmark can give each its own (e.g. jittered) time.
   */
  latencyMs?: number | (() => number);
}

/** A 403 that keeps the conversation: a user blocked the bot, or the tenant admin disabled it. */
export type BlockCode = 'ConversationBlockedByUser' | 'BotDisabledByAdmin';

/** The documented error bodies ("Status codes from bot conversational APIs"). */
const DOCUMENTED_ERRORS = {
  ConversationBlockedByUser: 'User blocked the conversation with the bot.',
  BotDisabledByAdmin: 'The tenant admin disabled this bot',
  BotNotInConversationRoster: "The bot isn't part of the conversation roster.",
  ConversationNotFound: 'Conversation not found.',
  ActivityNotFoundInConversation: 'Conversation not found.',
  Throttled: 'Too many requests.',
} as const;

/** Teams' per bot per conversation windows, as the rate-limit page tabulates them. */
const CONVERSATION_WINDOWS = [
  { limit: 7, ms: 1000 },
  { limit: 8, ms: 2000 },
  { limit: 60, ms: 30_000 },
  { limit: 1800, ms: 3_600_000 },
] as const;

interface StoredFault extends ConnectorFault {
  remaining: number;
}

/**
 * A loopback Bot Connector service (the Teams `serviceUrl`) that records what the bot sends, so tests can
 * assert on cards, replies and updates, and inject throttling or conversation errors.
 */
export class FakeConnector {
  /** Base URL, e.g. http://127.0.0.1:4567 — use it as the activities' serviceUrl. */
  readonly url: string;
  /** Every request in order. */
  readonly requests: ConnectorRequestRecord[];

  private readonly log: RecordLog<ConnectorRequestRecord>;
  private readonly faults: StoredFault[] = [];
  private readonly removed = new Map<string, 403 | 404>();
  private readonly blocked = new Map<string, BlockCode>();
  private readonly deletedActivities = new Set<string>();
  private readonly accepted = new Map<string, number[]>();
  private readonly delays = new Delays();
  private closed = false;
  private throttleClock: (() => number) | undefined;
  private members: Record<string, ConnectorMemberSeed[]>;
  private nextId: number;
  private conversationCounter = 0;

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    port: number,
    private readonly opts: FakeConnectorOptions,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.members = structuredClone(opts.members ?? {});
    this.nextId = opts.firstActivityId ?? 1_700_000_100_000;
    this.log = new RecordLog<ConnectorRequestRecord>('FakeConnector', (r) => {
      const text =
        isObject(r.body) && typeof r.body['text'] === 'string'
          ? ` text=${JSON.stringify(r.body['text'])}`
          : '';
      return `${r.kind} ${r.method} ${r.path} -> ${r.status}${text}`;
    });
    this.requests = this.log.items;
  }

  /** Starts on a random loopback port. */
  static async start(opts: FakeConnectorOptions = {}): Promise<FakeConnector> {
    let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
    const server = createServer((req, res) => handler(req, res));
    const sockets = trackSockets(server);
    const port = await listenOnLoopback(server);
    const connector = new FakeConnector(server, sockets, port, opts);
    handler = (req, res) => {
      connector.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'ServiceError', message: String(err) } }));
      });
    };
    return connector;
  }

  /** Stops the server, cancels delayed answers and rejects pending waits. */
  async close(): Promise<void> {
    this.closed = true;
    this.delays.cancelAll();
    this.log.dispose('closed');
    await closeServer(this.server, this.sockets);
  }

  /** Replaces the members of a conversation ('*' for all). */
  setMembers(conversationId: string, members: ConnectorMemberSeed[]): void {
    this.members[conversationId] = structuredClone(members);
  }

  /** Sends and replies (new messages), in order. */
  sent(): ConnectorRequestRecord[] {
    return this.requests.filter((r) => (r.kind === 'send' || r.kind === 'reply') && r.status < 300);
  }

  /** Activity updates (PUT), in order. */
  updates(): ConnectorRequestRecord[] {
    return this.requests.filter((r) => r.kind === 'update' && r.status < 300);
  }

  /** Resolves with the first matching request (backlog first), else rejects listing what was recorded. */
  waitFor(
    predicate: (r: ConnectorRequestRecord) => boolean,
    timeoutMs = 5000,
  ): Promise<ConnectorRequestRecord> {
    return this.log.waitFor(predicate, timeoutMs);
  }

  /**
   * Simulates the bot being removed from a conversation (or the conversation being deleted): every later
   * request to it answers 403 BotNotInConversationRoster or 404 ConversationNotFound.
   */
  removeConversation(conversationId: string, status: 403 | 404 = 403): void {
    this.removed.set(conversationId.split(';')[0] ?? conversationId, status);
  }

  /**
   * Simulates a user blocking the bot in a chat or channel, or the tenant admin disabling it: every later
   * request to the conversation answers 403 with that code until `unblockConversation`.
   */
  blockConversation(conversationId: string, code: BlockCode): void {
    this.blocked.set(conversationId.split(';')[0] ?? conversationId, code);
  }

  unblockConversation(conversationId: string): void {
    this.blocked.delete(conversationId.split(';')[0] ?? conversationId);
  }

  /** Simulates a message deleted in Teams: updating it answers 404 ActivityNotFoundInConversation. */
  deleteMessage(activityId: string): void {
    this.deletedActivities.add(activityId);
  }

  /**
   * From now on, enforces Teams' documented per-conversation limits on sends, replies and updates (7 in 1 s,
   * 8 in 2 s, 60 in 30 s, 1,800 in an hour: "Optimize your bot with rate limiting in Teams") on this clock,
   * answering 429 Throttled with Retry-After as the status-code table says.
   */
  enforceTeamsLimits(now: () => number): void {
    this.throttleClock = now;
  }

  /** Successful sends, replies and updates, with the throttle clock's time of each (when enforcing limits). */
  acceptedAt(conversationId: string): readonly number[] {
    return this.accepted.get(conversationId.split(';')[0] ?? conversationId) ?? [];
  }

  /** Fails the next matching request(s). */
  failNext(fault: ConnectorFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const text = await readBody(req);
    const latencyMs = typeof this.opts.latencyMs === 'function' ? this.opts.latencyMs() : this.opts.latencyMs;
    if (latencyMs) await this.delays.sleep(latencyMs);
    if (this.closed) return;
    const raw = rawPath.split('/').filter(Boolean);
    const segs = raw.map(safeDecode);
    const record: ConnectorRequestRecord = {
      kind: 'unknown',
      method,
      path: rawPath,
      body: tryParseJson(text),
      headers: redactHeaders(req.headers),
      authorized: req.headers['authorization'] !== undefined,
      at: Date.now(),
      status: 0,
    };
    const reply = (status: number, body?: unknown, headers?: Record<string, string>): void => {
      record.status = status;
      res.writeHead(status, {
        ...(body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' }),
        ...headers,
      });
      res.end(body === undefined ? undefined : JSON.stringify(body));
      this.log.push(record);
    };

    // /v3/conversations[/{conversationId}[/activities[/{activityId}] | /members[/{userId}] | /pagedmembers]]
    const [v3, conversations, conversationId, sub, subId, ...extra] = segs;
    if (v3 === 'v3' && conversations === 'conversations' && extra.length === 0) {
      if (conversationId !== undefined) record.conversationId = conversationId;
      if (sub === 'activities' && subId !== undefined) record.activityId = subId;
      record.kind = classify(method, conversationId, sub, subId);
    }

    const fault = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (!f.method || f.method.toUpperCase() === method) &&
        (!f.pathContains || rawPath.includes(f.pathContains) || segs.join('/').includes(f.pathContains)),
    );
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      const body = fault.body ?? {
        error: {
          code: fault.code ?? defaultCode(fault.status),
          message: fault.message ?? 'Injected failure.',
        },
      };
      return reply(fault.status, body, fault.headers);
    }
    const gone = record.conversationId
      ? this.removed.get(record.conversationId.split(';')[0] ?? '')
      : undefined;
    if (gone) {
      const code = gone === 403 ? 'BotNotInConversationRoster' : 'ConversationNotFound';
      return reply(gone, { error: { code, message: DOCUMENTED_ERRORS[code] } });
    }
    const block = record.conversationId
      ? this.blocked.get(record.conversationId.split(';')[0] ?? '')
      : undefined;
    if (block) return reply(403, { error: { code: block, message: DOCUMENTED_ERRORS[block] } });
    if (this.opts.requireAuth && !record.authorized) {
      return reply(401, { message: 'Authorization has been denied for this request.' });
    }

    const counted = record.kind === 'send' || record.kind === 'reply' || record.kind === 'update';
    if (counted && this.throttleClock && record.conversationId !== undefined) {
      const wait = this.throttled(record.conversationId, this.throttleClock());
      if (wait > 0) {
        return reply(
          429,
          { error: { code: 'Throttled', message: DOCUMENTED_ERRORS.Throttled } },
          { 'retry-after': String(Math.ceil(wait / 1000)) },
        );
      }
    }
    if (record.kind === 'update' && this.deletedActivities.has(record.activityId ?? '')) {
      const code = 'ActivityNotFoundInConversation';
      return reply(404, { error: { code, message: DOCUMENTED_ERRORS[code] } });
    }

    switch (record.kind) {
      case 'send':
      case 'reply': {
        if (!isObject(record.body) || typeof record.body['type'] !== 'string') {
          return reply(400, {
            error: { code: 'BadArgument', message: 'Activity is missing or has no type.' },
          });
        }
        record.newId = String(this.nextId++);
        return reply(201, { id: record.newId });
      }
      case 'update':
        if (!isObject(record.body))
          return reply(400, { error: { code: 'BadArgument', message: 'Activity is missing.' } });
        return reply(200, { id: record.activityId });
      case 'delete':
        this.deletedActivities.add(record.activityId ?? '');
        return reply(200);
      case 'createConversation': {
        this.conversationCounter += 1;
        record.newId = `a:fake-conversation-${this.conversationCounter}`;
        const activityId =
          isObject(record.body) && isObject(record.body['activity']) ? String(this.nextId++) : undefined;
        return reply(201, { id: record.newId, ...(activityId ? { activityId } : {}), serviceUrl: this.url });
      }
      case 'getMembers':
        return reply(200, this.membersOf(record.conversationId ?? ''));
      case 'getPagedMembers':
        return reply(200, { members: this.membersOf(record.conversationId ?? '') });
      case 'getMember': {
        const id = subId ?? '';
        const member = this.membersOf(record.conversationId ?? '').find(
          (m) => m.id === id || m.aadObjectId.toLowerCase() === id.toLowerCase(),
        );
        if (!member) {
          return reply(404, {
            error: {
              code: 'MemberNotFoundInConversation',
              message: 'The member could not be found in the conversation.',
            },
          });
        }
        return reply(200, member);
      }
      case 'unknown':
        return reply(404, { error: { code: 'NotFound', message: `No route for ${method} ${rawPath}` } });
    }
  }

  /** Milliseconds until this conversation may send again; 0 records the request as accepted now. */
  private throttled(conversationId: string, now: number): number {
    const key = conversationId.split(';')[0] ?? conversationId;
    const times = this.accepted.get(key) ?? [];
    let wait = 0;
    for (const w of CONVERSATION_WINDOWS) {
      const inWindow = times.filter((t) => t > now - w.ms);
      if (inWindow.length >= w.limit)
        wait = Math.max(wait, (inWindow[inWindow.length - w.limit] ?? now) + w.ms - now);
    }
    if (wait === 0) this.accepted.set(key, [...times.filter((t) => t > now - 3_600_000), now]);
    return wait;
  }

  private membersOf(conversationId: string): ConnectorMemberSeed[] {
    // Members are per conversation; ';messageid=' suffixes address the same channel.
    const base = conversationId.split(';')[0] ?? conversationId;
    return this.members[conversationId] ?? this.members[base] ?? this.members['*'] ?? [];
  }
}

function classify(
  method: string,
  conversationId: string | undefined,
  sub: string | undefined,
  subId: string | undefined,
): ConnectorRequestKind {
  if (conversationId === undefined) return method === 'POST' ? 'createConversation' : 'unknown';
  if (sub === 'activities') {
    if (subId === undefined) return method === 'POST' ? 'send' : 'unknown';
    if (method === 'POST') return 'reply';
    if (method === 'PUT') return 'update';
    if (method === 'DELETE') return 'delete';
    return 'unknown';
  }
  if (sub === 'members' && method === 'GET') return subId === undefined ? 'getMembers' : 'getMember';
  if (sub === 'pagedmembers' && method === 'GET' && subId === undefined) return 'getPagedMembers';
  return 'unknown';
}

function defaultCode(status: number): string {
  switch (status) {
    case 403:
      return 'NotEnoughPermissions';
    case 404:
      return 'NotFound';
    case 412:
      return 'PreconditionFailed';
    case 429:
      return 'Throttled';
    default:
      return status >= 500 ? 'ServiceError' : 'BadArgument';
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
