import { randomInt, randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import type { FakeEntra } from './fake-entra';
import { closeServer, listenOnLoopback, RecordLog, trackSockets } from './fake-http';
import { loadTestTls } from './tls';

/** The audience of the bot's own token for Bot Framework services (AuthenticationConstants). */
export const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

/** Options for {@link FakeTokenService.start}. */
export interface FakeTokenServiceOptions {
  /** Verifies the bot's bearer tokens (signature, lifetime on its clock). */
  entra: FakeEntra;
  /** The bot's app id: only its tokens are accepted. */
  botId: string;
  /** The Azure Bot's one OAuth connection. */
  connectionName: string;
  /** The connection's Token Exchange URL (the app's Application ID URI), echoed in sign-in resources. */
  tokenExchangeUrl: string;
}

/** One request the fake answered. Magic codes are '***'. */
export interface TokenServiceRequestRecord {
  method: string;
  /** 'GetSignInResource', 'GetToken', or the path of anything else. */
  operation: string;
  query: Record<string, string>;
  status: number;
  /** The appid of the bearer token, when one was accepted. */
  appId?: string;
}

/** A sign-in the fake handed a link out for, by the state botbuilder sent (TokenExchangeState). */
interface PendingSignIn {
  readonly connectionName: string;
  /** conversation.user.id of the activity the link was made for: whose token the sign-in yields. */
  readonly userId: string;
  readonly channelId: string;
}

interface StoredToken {
  readonly token: string;
  readonly expiration: string;
}

/**
 * A loopback Bot Framework token service, answering the operations botframework-connector's UserTokenClient
 * sends (node_modules/botframework-connector/src/tokenApi/operations): GET api/botsignin/GetSignInResource
 * (state = base64 TokenExchangeState → SignInUrlResponse {signInLink, tokenExchangeResource}) and GET
 * api/usertoken/GetToken (userId, connectionName, channelId, code → 200 TokenResponse {channelId,
 * connectionName, token, expiration}, or 404 when it holds no token for that user). Every call must carry
 * the bot's own Entra token for https://api.botframework.com (401 otherwise). A test plays the browser part with
 * {@link completeSignIn}: the person signs in at the link and is shown a magic code, bound to the user the
 * link was made for, which Teams then sends to the bot in value.state.
 */
export class FakeTokenService {
  readonly url: string;
  readonly requests: TokenServiceRequestRecord[];
  private readonly log = new RecordLog<TokenServiceRequestRecord>(
    'FakeTokenService',
    (r) => `${r.method} ${r.operation} -> ${r.status}`,
  );
  private readonly signIns = new Map<string, PendingSignIn>();
  private readonly codes = new Map<string, PendingSignIn & StoredToken>();
  private readonly tokens = new Map<string, StoredToken>();
  private failures: number[] = [];
  private stalled = false;
  private readonly held = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    port: number,
    private readonly options: FakeTokenServiceOptions,
  ) {
    this.url = `https://127.0.0.1:${port}`;
    this.requests = this.log.items;
  }

  static async start(options: FakeTokenServiceOptions): Promise<FakeTokenService> {
    const tls = loadTestTls();
    const ref: { fake?: FakeTokenService } = {};
    const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) =>
      ref.fake?.handle(req, res),
    ) as Server;
    const sockets = trackSockets(server);
    const port = await listenOnLoopback(server);
    ref.fake = new FakeTokenService(server, sockets, port, options);
    return ref.fake;
  }

  /**
   * The person at the browser signs in at `signInLink` (a link this fake made) and gets `token` from Entra
   * through the OAuth connection; returns the magic code the token service shows them.
   */
  completeSignIn(signInLink: string, token: string, expiresInSec = 3600): string {
    const id = new URL(signInLink).searchParams.get('signin') ?? '';
    const pending = this.signIns.get(id);
    if (!pending) throw new Error(`FakeTokenService: no sign-in behind ${signInLink}`);
    this.signIns.delete(id);
    const code = String(randomInt(100_000, 1_000_000));
    const expiration = new Date(this.options.entra.now() + expiresInSec * 1000).toISOString();
    this.codes.set(code, { ...pending, token, expiration });
    return code;
  }

  /** Answers the next `times` requests with this status and an ErrorResponse body (e.g. 503). */
  failNext(status: number, times = 1): void {
    for (let i = 0; i < times; i += 1) this.failures.push(status);
  }

  /**
   * Leaves every request from now on unanswered, as an unreachable or stalled service does. {@link close}
   * then answers them 400, so the bot's client does not go on retrying after the test.
   */
  stall(): void {
    this.stalled = true;
  }

  /** Resolves with the first matching request (backlog first); event-driven, no polling. */
  waitFor(predicate: (r: TokenServiceRequestRecord) => boolean, timeoutMs = 5000) {
    return this.log.waitFor(predicate, timeoutMs);
  }

  async close(): Promise<void> {
    for (const res of this.held) {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(errorResponse('Closed', 'The fake token service stopped.')));
    }
    this.held.clear();
    this.log.dispose('closed');
    await closeServer(this.server, this.sockets);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', this.url);
    const query = Object.fromEntries(url.searchParams);
    const operation = url.pathname.replace(/^\/api\/(botsignin|usertoken)\//, '');
    const record: TokenServiceRequestRecord = {
      method: req.method ?? 'GET',
      operation,
      query: 'code' in query ? { ...query, code: '***' } : query,
      status: 0,
    };
    const reply = (status: number, body?: unknown): void => {
      record.status = status;
      res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' });
      res.end(body === undefined ? undefined : JSON.stringify(body));
      this.log.push(record);
    };
    if (this.stalled) {
      this.held.add(res);
      return;
    }
    const appId = this.authenticate(req.headers.authorization);
    if (!appId) return reply(401, errorResponse('Unauthorized', 'The bot token is missing or not valid.'));
    record.appId = appId;
    const failure = this.failures.shift();
    if (failure !== undefined) return reply(failure, errorResponse('ServiceError', 'Injected failure.'));
    if (req.method === 'GET' && url.pathname === '/api/botsignin/GetSignInResource') {
      const answer = this.signInResource(query['state']);
      return 'error' in answer ? reply(400, answer) : reply(200, answer);
    }
    if (req.method === 'GET' && url.pathname === '/api/usertoken/GetToken') {
      const answer = this.getToken(query);
      return answer ? reply(200, answer) : reply(404);
    }
    reply(404, errorResponse('NotFound', `No route for ${req.method ?? ''} ${url.pathname}`));
  }

  /**
   * The appid of a bot token for Bot Framework services signed by Entra, or undefined. Its lifetime is not
   * judged here: the bot's credential caches its token on the process clock, while tests move the clock
   * the fakes share by hours.
   */
  private authenticate(header: string | undefined): string | undefined {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    if (!token) return undefined;
    const verified = this.options.entra.verifyToken(token);
    const claims = verified.ok || verified.reason === 'expired' ? verified.claims : undefined;
    if (!claims) return undefined;
    const { aud, appid } = claims;
    return aud === BOT_FRAMEWORK_AUDIENCE && appid === this.options.botId ? appid : undefined;
  }

  private signInResource(state: string | undefined): Record<string, unknown> {
    let parsed: {
      connectionName?: unknown;
      msAppId?: unknown;
      conversation?: { user?: { id?: unknown }; channelId?: unknown };
    };
    try {
      parsed = JSON.parse(Buffer.from(state ?? '', 'base64').toString('utf8')) as typeof parsed;
    } catch {
      return errorResponse('BadArgument', 'state is not a TokenExchangeState');
    }
    const userId = parsed.conversation?.user?.id;
    if (parsed.connectionName !== this.options.connectionName || typeof userId !== 'string') {
      return errorResponse('BadArgument', 'Unknown connection or no user in the conversation reference');
    }
    if (parsed.msAppId !== this.options.botId) return errorResponse('BadArgument', 'msAppId is not this bot');
    const id = randomUUID();
    this.signIns.set(id, {
      connectionName: parsed.connectionName,
      userId,
      channelId: typeof parsed.conversation?.channelId === 'string' ? parsed.conversation.channelId : '',
    });
    return {
      signInLink: `${this.url}/api/oauth/signin?signin=${id}`,
      tokenExchangeResource: { id, uri: this.options.tokenExchangeUrl, providerId: '' },
    };
  }

  /** Redeems a code bound to this user and connection, then answers the token held for them, if any. */
  private getToken(query: Record<string, string>): Record<string, unknown> | undefined {
    const { userId = '', connectionName = '', channelId = '', code } = query;
    const key = `${userId}\n${connectionName}`;
    const pending = code ? this.codes.get(code) : undefined;
    if (pending && pending.userId === userId && pending.connectionName === connectionName) {
      this.codes.delete(code ?? '');
      this.tokens.set(key, { token: pending.token, expiration: pending.expiration });
    }
    const held = this.tokens.get(key);
    if (!held || Date.parse(held.expiration) <= this.options.entra.now()) return undefined;
    return { channelId, connectionName, token: held.token, expiration: held.expiration };
  }
}

function errorResponse(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}
