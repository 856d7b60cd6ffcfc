import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import type { Server } from 'node:http';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';
import { closeServer, listenOnLoopback, trackSockets } from './fake-http';
import { signRs256 } from './jwt';
import { loadTestTls } from './tls';

/** The issuer the Bot Framework channel puts in tokens it sends to bots (public cloud). */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';

/** Options for {@link FakeBotFramework.issueChannelToken}. */
export interface ChannelTokenOptions {
  /** The bot's app id (the `aud` claim). */
  audience: string;
  /** Must equal the activity's serviceUrl. */
  serviceUrl: string;
  issuer?: string;
  /** Negative: already expired. Default one hour. */
  expiresInSec?: number;
  /** 'foreign' signs with a key that is not published (same kid): a forged signature. */
  signWith?: 'published' | 'foreign';
  now?: number;
}

/**
 * A loopback stand-in for login.botframework.com: the OpenID metadata document and JWKS (keys endorsed for
 * msteams) the Bot Framework SDK fetches to validate inbound activities, and a way to mint channel tokens
 * with those keys. Point BOT_OPENID_METADATA_URL at {@link metadataUrl}.
 */
export class FakeBotFramework {
  readonly url: string;
  readonly metadataUrl: string;
  /** Every token minted, so log scans can look for them. */
  readonly issued: string[] = [];
  private readonly kid = randomUUID();

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    port: number,
    private readonly publicKey: KeyObject,
    private readonly privateKey: KeyObject,
    private readonly foreignKey: KeyObject,
  ) {
    this.url = `https://127.0.0.1:${port}`;
    this.metadataUrl = `${this.url}/v1/.well-known/openidconfiguration`;
  }

  /** Starts on a random loopback port with the test TLS certificate. */
  static async start(): Promise<FakeBotFramework> {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const tls = loadTestTls();
    const ref: { fake?: FakeBotFramework } = {};
    const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
      const body = ref.fake?.answer(req.url ?? '/');
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body ?? { error: 'not found' }));
    }) as Server;
    const sockets = trackSockets(server);
    const port = await listenOnLoopback(server);
    const fake = new FakeBotFramework(
      server,
      sockets,
      port,
      pair.publicKey,
      pair.privateKey,
      foreign.privateKey,
    );
    ref.fake = fake;
    return fake;
  }

  /** A token as the Bot Framework channel service would send with an activity. */
  issueChannelToken(o: ChannelTokenOptions): string {
    const now = Math.floor((o.now ?? Date.now()) / 1000);
    const token = signRs256(
      {
        iss: o.issuer ?? BOT_FRAMEWORK_ISSUER,
        aud: o.audience,
        serviceurl: o.serviceUrl,
        nbf: now - 60,
        iat: now - 60,
        exp: now + (o.expiresInSec ?? 3600),
      },
      o.signWith === 'foreign' ? this.foreignKey : this.privateKey,
      this.kid,
    );
    this.issued.push(token);
    return token;
  }

  async close(): Promise<void> {
    await closeServer(this.server, this.sockets);
  }

  private answer(url: string): unknown {
    if (url === '/v1/.well-known/openidconfiguration') {
      return {
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: `${this.url}/v1/.well-known/authorize`,
        jwks_uri: `${this.url}/v1/.well-known/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      };
    }
    if (url === '/v1/.well-known/keys') {
      const jwk = this.publicKey.export({ format: 'jwk' });
      return {
        keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, n: jwk.n, e: jwk.e, endorsements: ['msteams'] }],
      };
    }
    return undefined;
  }
}
