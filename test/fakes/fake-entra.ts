import {
  constants,
  createHash,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
  verify,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { Socket } from 'node:net';

import { closeServer, listenOnLoopback, readBody, RecordLog, trackSockets } from './fake-http';
import { decodeJwt, signRs256, verifyRs256, type DecodedJwt, type JwtClaims } from './jwt';
import { loadTestTls, type TlsMaterial } from './tls';

/** Resource URI Graph access tokens are issued for (v1 tokens carry it as `aud`). */
export const GRAPH_RESOURCE = 'https://graph.microsoft.com';

/** The Teams desktop/web client id, which appears as `azp`/`appid` in Teams SSO tokens. */
export const TEAMS_CLIENT_APP_ID = '1fec8e78-bce4-4aaf-ab1b-5451cc387264';

const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
const REDACTED_FORM_FIELDS = new Set([
  'client_secret',
  'client_assertion',
  'assertion',
  'refresh_token',
  'code',
  'password',
  'code_verifier',
]);
const TENANT_ALIASES = new Set(['common', 'organizations', 'consumers']);

/** Options for {@link FakeEntra.start}. */
export interface FakeEntraOptions {
  /** Clock for iat/nbf/exp and expiry checks (epoch ms); share it with FakeGraph. Default Date.now. */
  now?: () => number;
  /** Certificate path (default .test-tls/cert.pem). */
  certPath?: string;
  /** Key path (default .test-tls/key.pem). */
  keyPath?: string;
  /** PEM material; wins over the paths. */
  tls?: TlsMaterial;
  /** Clients registered up front (same as calling registerClient). */
  clients?: EntraClientRegistration[];
}

/** An app registration plus its service principal in the fake directory. */
export interface EntraClientRegistration {
  clientId: string;
  /** Secret for client_secret auth; omit for certificate-only clients. */
  clientSecret?: string;
  /** Home tenant (a GUID); tokens carry it as `tid`. */
  tenantId: string;
  /** Application ID URIs, accepted as audiences of OBO assertions (e.g. 'api://botid-xyz'). */
  appIdUris?: string[];
  /** Application permissions, emitted as `roles` on client-credentials tokens. */
  roles?: string[];
  /**
   * Consented delegated Graph scopes. `.default` grants exactly these; when the list is given, explicitly
   * requested scopes outside it fail with AADSTS65001 (consent_required). Omit to grant whatever is asked.
   */
  delegatedScopes?: string[];
  /** Object id of the service principal (app tokens' `oid`/`sub`); random when omitted. */
  servicePrincipalId?: string;
  displayName?: string;
  /**
   * Uploaded certificate (PEM). client_assertion JWTs must then name it by x5t (SHA-1) or x5t#S256 (SHA-256;
   * what @azure/identity sends) and be signed by its key.
   */
  certificate?: string;
  /** Lighter alternative to `certificate`: only the thumbprint is checked (hex or base64url, SHA-1 or SHA-256). */
  certificateThumbprint?: string;
  /** Accept token requests addressed to tenants other than tenantId. */
  multiTenant?: boolean;
}

/** The grant a fault is limited to. */
export type EntraGrantKind = 'client_credentials' | 'obo';

/** A one-shot (or `times`-shot) error for the token endpoint. */
export interface EntraTokenFault {
  grantType?: EntraGrantKind;
  status: number;
  /** OAuth error, e.g. 'invalid_grant'. */
  error: string;
  /** AADSTS number, e.g. 65001. */
  code: number;
  /** Text after `AADSTS{code}: `; `{client_id}` is replaced with the request's client id. */
  description?: string;
  suberror?: string;
  /** Claims challenge (JSON string) for conditional-access style errors. */
  claims?: string;
  times?: number;
}

/** Ready-made Entra failures for {@link FakeEntra.failNextTokenRequest}. */
export const entraFaults = {
  /** AADSTS65001 consent_required, what OBO returns before an admin grants the bot's Graph scopes. */
  consentRequired(overrides: Partial<EntraTokenFault> = {}): EntraTokenFault {
    return {
      grantType: 'obo',
      status: 400,
      error: 'invalid_grant',
      suberror: 'consent_required',
      code: 65001,
      description:
        "The user or administrator has not consented to use the application with ID '{client_id}'. " +
        'Send an interactive authorization request for this user and resource.',
      ...overrides,
    };
  },
  /** AADSTS50013 invalid_grant, a failed assertion validation. */
  invalidGrant(overrides: Partial<EntraTokenFault> = {}): EntraTokenFault {
    return {
      grantType: 'obo',
      status: 400,
      error: 'invalid_grant',
      code: 50013,
      description: 'Assertion failed signature validation. [Reason - The key was not found.]',
      ...overrides,
    };
  },
  /** AADSTS50076 interaction_required (MFA step-up) with a claims challenge. */
  interactionRequired(overrides: Partial<EntraTokenFault> = {}): EntraTokenFault {
    return {
      grantType: 'obo',
      status: 400,
      error: 'invalid_grant',
      suberror: 'basic_action',
      code: 50076,
      description:
        'Due to a configuration change made by your administrator, or because you moved to a new location, ' +
        "you must use multi-factor authentication to access '00000003-0000-0000-c000-000000000000'.",
      claims:
        '{"access_token":{"capolids":{"essential":true,"values":["00000000-0000-0000-0000-000000000001"]}}}',
      ...overrides,
    };
  },
  /** A throttled/unavailable token service. */
  temporarilyUnavailable(overrides: Partial<EntraTokenFault> = {}): EntraTokenFault {
    return {
      status: 503,
      error: 'temporarily_unavailable',
      code: 90033,
      description: 'A transient error has occurred. Please try again.',
      ...overrides,
    };
  },
};

/** One request seen by the fake, for assertions. Secrets and assertions in `form` are '***'. */
export interface EntraRequestRecord {
  method: string;
  path: string;
  /** Tenant segment of the path, as addressed. */
  tenant?: string;
  grantType?: string;
  clientId?: string;
  form: Record<string, string>;
  /** Fake-clock time (epoch ms). */
  at: number;
  status: number;
  /** AADSTS code of an error answer. */
  errorCode?: number;
}

/** Options for {@link FakeEntra.issueUserToken}. */
export interface IssueUserTokenOptions {
  tenantId: string;
  oid: string;
  name: string;
  upn: string;
  /** The bot's client id or app id URI (Teams SSO tokens are for `api://…/botid-…`). */
  audience: string;
  /** Lifetime; default 3600. Negative makes an already-expired token. */
  expiresInSec?: number;
  /** Issue time in epoch ms (default: the fake clock). */
  issuedAt?: number;
  /** Override `iss`. */
  issuer?: string;
  /** 'foreign' signs with a key that is NOT published (same kid), to test signature validation. */
  signWith?: 'fake' | 'foreign';
  version?: '2.0' | '1.0';
  extraClaims?: JwtClaims;
}

/** A person the sandbox SSO endpoint may sign in (see {@link FakeEntra.enableSandboxSso}). */
export interface SandboxSsoUser {
  oid: string;
  name: string;
  upn: string;
}

/** Path (after `/{tenant}/`) of the sandbox-only endpoint that stands in for Teams SSO. */
export const SANDBOX_SSO_TOKEN_PATH = 'oauth2/v2.0/sandbox-sso-token';

/** Result of {@link FakeEntra.verifyToken}. */
export type TokenVerification =
  | { ok: true; claims: JwtClaims }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'not_yet_valid'; claims?: JwtClaims };

interface EntraErrorAnswer {
  status: number;
  error: string;
  code: number;
  description: string;
  suberror?: string;
  claims?: string;
}

interface StoredFault extends EntraTokenFault {
  remaining: number;
}

/**
 * A loopback Microsoft Entra ID token service: OIDC metadata, JWKS, client-credentials and on-behalf-of grants,
 * plus minting of Teams SSO tokens. It exists so MSAL (via @azure/identity) runs unmodified in tests.
 */
export class FakeEntra {
  /** Every token this fake signed (user SSO tokens and access tokens), so tests can scan logs for them. */
  readonly issuedTokens: string[] = [];

  /** Base URL, e.g. https://127.0.0.1:12345 — pass it as `authorityHost`. */
  readonly url: string;
  /** Random key id of the published signing key. */
  readonly kid: string;
  /** Tokens whose signature this instance already verified, decoded. */
  private readonly signedBy = new Map<string, DecodedJwt>();
  /** Every request, in arrival order. */
  readonly requests: EntraRequestRecord[];
  /** Clock used for all timestamps (epoch ms). */
  readonly now: () => number;

  private readonly log: RecordLog<EntraRequestRecord>;
  private readonly clients = new Map<string, EntraClientRegistration & { servicePrincipalId: string }>();
  private readonly faults: StoredFault[] = [];
  private sandboxUsers: ((oid: string) => SandboxSsoUser | undefined) | undefined;

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    port: number,
    private readonly privateKey: KeyObject,
    readonly publicKey: KeyObject,
    private readonly foreignKey: KeyObject,
    kid: string,
    now: () => number,
  ) {
    this.url = `https://127.0.0.1:${port}`;
    this.kid = kid;
    this.now = now;
    this.log = new RecordLog<EntraRequestRecord>(
      'FakeEntra',
      (r) => `${r.method} ${r.path} ${r.grantType ?? ''} ${r.clientId ?? ''} -> ${r.status}`,
    );
    this.requests = this.log.items;
  }

  /** Starts the HTTPS server on a random loopback port. */
  static async start(opts: FakeEntraOptions = {}): Promise<FakeEntra> {
    const tls = opts.tls ?? loadTestTls(opts.certPath, opts.keyPath);
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });
    let handler: (req: IncomingMessage, res: ServerResponse) => void = () => undefined;
    const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => handler(req, res)) as Server;
    const sockets = trackSockets(server);
    const port = await listenOnLoopback(server);
    const entra = new FakeEntra(
      server,
      sockets,
      port,
      privateKey,
      publicKey,
      foreign.privateKey,
      randomBytes(20).toString('base64url'),
      opts.now ?? Date.now,
    );
    handler = (req, res) => {
      entra.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'server_error', error_description: String(err) }));
      });
    };
    for (const c of opts.clients ?? []) entra.registerClient(c);
    return entra;
  }

  /**
   * Local sandbox only: turns on `POST /{tenant}/oauth2/v2.0/sandbox-sso-token`, which gives an authenticated
   * client a Teams-SSO-like token (audience: the client's Application ID URI) for a user the lookup knows.
   * The Agents Playground does no SSO, so this is how the sandboxed bot gets an approver's token.
   */
  enableSandboxSso(lookup: (oid: string) => SandboxSsoUser | undefined): void {
    this.sandboxUsers = lookup;
  }

  /** Stops the server and drops open connections. */
  async close(): Promise<void> {
    this.log.dispose('closed');
    await closeServer(this.server, this.sockets);
  }

  /** Adds (or replaces) an app registration; returns it with the service principal id filled in. */
  registerClient(reg: EntraClientRegistration): EntraClientRegistration & { servicePrincipalId: string } {
    const stored = { ...reg, servicePrincipalId: reg.servicePrincipalId ?? randomUUID() };
    this.clients.set(reg.clientId, stored);
    return stored;
  }

  /** A registered client, e.g. to read the generated service principal id. */
  getClient(clientId: string): (EntraClientRegistration & { servicePrincipalId: string }) | undefined {
    return this.clients.get(clientId);
  }

  /** Makes the next matching token request(s) fail with an Entra-shaped error. */
  failNextTokenRequest(fault: EntraTokenFault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  /** Resolves when a matching request has been answered (backlog first); event-driven, no polling. */
  waitForRequest(
    predicate: (r: EntraRequestRecord) => boolean,
    timeoutMs = 5000,
  ): Promise<EntraRequestRecord> {
    return this.log.waitFor(predicate, timeoutMs);
  }

  /** Token endpoint URL for a tenant. */
  tokenEndpoint(tenant: string): string {
    return `${this.url}/${tenant}/oauth2/v2.0/token`;
  }

  private issue(token: string): string {
    this.issuedTokens.push(token);
    return token;
  }

  /** The JWKS the fake publishes. */
  jwks(): { keys: Array<Record<string, string>> } {
    const jwk = this.publicKey.export({ format: 'jwk' });
    return {
      keys: [
        {
          kty: 'RSA',
          use: 'sig',
          kid: this.kid,
          x5t: this.kid,
          n: String(jwk.n),
          e: String(jwk.e),
          alg: 'RS256',
        },
      ],
    };
  }

  /** Mints the SSO token Teams puts in `value.authentication.token` / token exchange invokes. */
  issueUserToken(opts: IssueUserTokenOptions): string {
    const iat = Math.floor((opts.issuedAt ?? this.now()) / 1000);
    const exp = iat + (opts.expiresInSec ?? 3600);
    const version = opts.version ?? '2.0';
    const base: JwtClaims = {
      aud: opts.audience,
      iss:
        opts.issuer ??
        (version === '2.0' ? `${this.url}/${opts.tenantId}/v2.0` : `${this.url}/${opts.tenantId}/`),
      iat,
      nbf: iat,
      exp,
      aio: randomBytes(24).toString('base64url'),
      name: opts.name,
      oid: opts.oid,
      rh: `0.${randomBytes(16).toString('base64url')}.`,
      scp: 'access_as_user',
      sub: pairwiseSub(opts.oid, opts.audience),
      tid: opts.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: version,
    };
    const versioned: JwtClaims =
      version === '2.0'
        ? { azp: TEAMS_CLIENT_APP_ID, azpacr: '0', preferred_username: opts.upn }
        : {
            appid: TEAMS_CLIENT_APP_ID,
            appidacr: '0',
            amr: ['pwd'],
            upn: opts.upn,
            unique_name: opts.upn,
            idp: `https://sts.windows.net/${opts.tenantId}/`,
          };
    const key = opts.signWith === 'foreign' ? this.foreignKey : this.privateKey;
    return this.issue(signRs256({ ...base, ...versioned, ...opts.extraClaims }, key, this.kid));
  }

  /** Signs arbitrary claims with the published key (for crafting odd tokens in tests). */
  signClaims(claims: JwtClaims): string {
    return this.issue(signRs256(claims, this.privateKey, this.kid));
  }

  /** Validates signature and lifetime against the fake clock; FakeGraph uses this for bearer tokens. */
  verifyToken(token: string, nowMs: number = this.now()): TokenVerification {
    const jwt = this.signedBy.get(token) ?? decodeJwt(token);
    if (!jwt) return { ok: false, reason: 'malformed' };
    if (!this.signedBy.has(token)) {
      if (jwt.header['kid'] !== this.kid || !verifyRs256(jwt, this.publicKey)) {
        return { ok: false, reason: 'signature', claims: jwt.payload };
      }
      // A resource server checks a token's signature once, not on every call (lifetime is checked each time).
      if (this.signedBy.size >= 1000) this.signedBy.clear();
      this.signedBy.set(token, jwt);
    }
    const nowSec = nowMs / 1000;
    const exp = jwt.payload['exp'];
    const nbf = jwt.payload['nbf'];
    if (typeof exp !== 'number' || exp <= nowSec)
      return { ok: false, reason: 'expired', claims: jwt.payload };
    if (typeof nbf === 'number' && nbf > nowSec)
      return { ok: false, reason: 'not_yet_valid', claims: jwt.payload };
    return { ok: true, claims: jwt.payload };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', this.url);
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const tenant = segments[0];
    const rest = segments.slice(1).join('/');
    const record: EntraRequestRecord = { method, path: url.pathname, form: {}, at: this.now(), status: 0 };
    if (tenant !== undefined) record.tenant = tenant;
    // MSAL Node sends client-request-id in the form body, other clients as a header.
    const correlationId =
      headerValue(req, 'client-request-id') ??
      new URLSearchParams(body).get('client-request-id') ??
      randomUUID();

    const reply = (status: number, payload: unknown, errorCode?: number): void => {
      record.status = status;
      if (errorCode !== undefined) record.errorCode = errorCode;
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'no-store, no-cache',
        'client-request-id': correlationId,
        'x-ms-request-id': randomUUID(),
      });
      res.end(JSON.stringify(payload));
      this.log.push(record);
    };
    const replyError = (e: EntraErrorAnswer): void =>
      reply(e.status, this.errorBody(e, correlationId), e.code);

    if (tenant === undefined) return reply(404, { error: 'not_found' });
    if (method === 'GET' && rest === 'v2.0/.well-known/openid-configuration') {
      return reply(200, this.openIdConfiguration(tenant, 'v2'));
    }
    if (method === 'GET' && rest === '.well-known/openid-configuration') {
      return reply(200, this.openIdConfiguration(tenant, 'v1'));
    }
    if (method === 'GET' && (rest === 'discovery/v2.0/keys' || rest === 'discovery/keys')) {
      return reply(200, this.jwks());
    }
    if (rest === SANDBOX_SSO_TOKEN_PATH && method === 'POST' && this.sandboxUsers) {
      const form = Object.fromEntries(new URLSearchParams(body));
      record.form = redactForm(form);
      record.grantType = 'sandbox_sso';
      if (form['client_id'] !== undefined) record.clientId = form['client_id'];
      const outcome = this.sandboxSso(tenant, form, this.sandboxUsers);
      if ('error' in outcome) return replyError(outcome);
      return reply(200, outcome.body);
    }
    if (rest === 'oauth2/v2.0/token' || rest === 'oauth2/token') {
      if (method !== 'POST') {
        return replyError({
          status: 405,
          error: 'invalid_request',
          code: 900561,
          description: 'The endpoint only accepts POST, OPTIONS requests. Received a GET request.',
        });
      }
      const form = Object.fromEntries(new URLSearchParams(body));
      record.form = redactForm(form);
      if (form['grant_type'] !== undefined) record.grantType = form['grant_type'];
      if (form['client_id'] !== undefined) record.clientId = form['client_id'];
      const outcome = this.token(tenant, form);
      if ('error' in outcome) return replyError(outcome);
      return reply(200, outcome.body);
    }
    return reply(404, { error: 'not_found', error_description: `No route for ${method} ${url.pathname}` });
  }

  private token(tenant: string, form: Record<string, string>): EntraErrorAnswer | { body: unknown } {
    const grant = form['grant_type'];
    const kind: EntraGrantKind | undefined =
      grant === 'client_credentials' ? 'client_credentials' : grant === JWT_BEARER_GRANT ? 'obo' : undefined;
    const clientId = form['client_id'] ?? '';

    const fault = this.faults.find(
      (f) => f.remaining > 0 && (f.grantType === undefined || f.grantType === kind),
    );
    if (fault) {
      fault.remaining -= 1;
      if (fault.remaining === 0) this.faults.splice(this.faults.indexOf(fault), 1);
      const answer: EntraErrorAnswer = {
        status: fault.status,
        error: fault.error,
        code: fault.code,
        description: (fault.description ?? 'Injected failure.').replace(/\{client_id\}/g, clientId),
      };
      if (fault.suberror !== undefined) answer.suberror = fault.suberror;
      if (fault.claims !== undefined) answer.claims = fault.claims;
      return answer;
    }

    if (kind === undefined) {
      return {
        status: 400,
        error: 'unsupported_grant_type',
        code: 70003,
        description: `The app requested an unsupported grant type '${grant ?? ''}'.`,
      };
    }
    if (!clientId) {
      return {
        status: 400,
        error: 'invalid_request',
        code: 900144,
        description: "The request body must contain the following parameter: 'client_id'.",
      };
    }
    const client = this.clients.get(clientId);
    const tenantMismatch =
      client !== undefined &&
      !client.multiTenant &&
      !TENANT_ALIASES.has(tenant) &&
      tenant !== client.tenantId;
    if (!client || tenantMismatch) {
      return {
        status: 400,
        error: 'unauthorized_client',
        code: 700016,
        description:
          `Application with identifier '${clientId}' was not found in the directory '${tenant}'. ` +
          'This can happen if the application has not been installed by the administrator of the tenant or ' +
          'consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.',
      };
    }
    const auth = this.authenticateClient(client, form);
    if (auth) return auth;
    const appidacr = form['client_secret'] !== undefined ? '1' : '2';
    const tid = TENANT_ALIASES.has(tenant) ? client.tenantId : tenant;
    return kind === 'client_credentials'
      ? this.clientCredentials(client, tid, appidacr, form)
      : this.onBehalfOf(client, tenant, appidacr, form);
  }

  private sandboxSso(
    tenant: string,
    form: Record<string, string>,
    lookup: (oid: string) => SandboxSsoUser | undefined,
  ): EntraErrorAnswer | { body: unknown } {
    const clientId = form['client_id'] ?? '';
    const client = this.clients.get(clientId);
    if (!client || (!TENANT_ALIASES.has(tenant) && !client.multiTenant && tenant !== client.tenantId)) {
      return {
        status: 400,
        error: 'unauthorized_client',
        code: 700016,
        description: `Application with identifier '${clientId}' was not found in the directory '${tenant}'.`,
      };
    }
    const auth = this.authenticateClient(client, form);
    if (auth) return auth;
    const oid = form['user_oid'] ?? '';
    const user = lookup(oid);
    if (!user) {
      return {
        status: 400,
        error: 'invalid_grant',
        code: 50034,
        description: `The user account ${oid || '(none)'} does not exist in the directory.`,
      };
    }
    const audience = client.appIdUris?.[0] ?? client.clientId;
    const tenantId = TENANT_ALIASES.has(tenant) ? client.tenantId : tenant;
    const token = this.issueUserToken({ tenantId, oid: user.oid, name: user.name, upn: user.upn, audience });
    return {
      body: {
        token_type: 'Bearer',
        scope: `${audience}/access_as_user`,
        expires_in: 3600,
        access_token: token,
      },
    };
  }

  private authenticateClient(
    client: EntraClientRegistration,
    form: Record<string, string>,
  ): EntraErrorAnswer | undefined {
    const secret = form['client_secret'];
    const assertion = form['client_assertion'];
    if (secret !== undefined) {
      if (client.clientSecret !== undefined && secret === client.clientSecret) return undefined;
      return {
        status: 401,
        error: 'invalid_client',
        code: 7000215,
        description:
          'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, ' +
          `not the client secret ID, for a secret added to app '${client.clientId}'.`,
      };
    }
    if (assertion !== undefined) {
      const jwt = decodeJwt(assertion);
      const badAssertion = (why: string): EntraErrorAnswer => ({
        status: 401,
        error: 'invalid_client',
        code: 700027,
        description: `Client assertion failed signature validation. ${why}`,
      });
      if (form['client_assertion_type'] !== CLIENT_ASSERTION_TYPE) {
        return {
          status: 400,
          error: 'invalid_request',
          code: 50027,
          description: `Invalid client_assertion_type '${form['client_assertion_type'] ?? ''}'.`,
        };
      }
      if (!jwt)
        return {
          status: 400,
          error: 'invalid_request',
          code: 50027,
          description: 'JWT token is invalid or malformed.',
        };
      if (jwt.payload['iss'] !== client.clientId || jwt.payload['sub'] !== client.clientId) {
        return badAssertion('The iss and sub claims must both be the client id.');
      }
      const presented = String(jwt.header['x5t#S256'] ?? jwt.header['x5t'] ?? '');
      const keyNotFound = badAssertion(
        `Key was not found. Thumbprint of key used by client: '${presented}'.`,
      );
      if (client.certificate !== undefined) {
        const cert = new X509Certificate(client.certificate);
        const sha1 = Buffer.from(cert.fingerprint.replace(/:/g, ''), 'hex').toString('base64url');
        const sha256 = Buffer.from(cert.fingerprint256.replace(/:/g, ''), 'hex').toString('base64url');
        if (!thumbprintMatches(jwt, sha1) && !thumbprintMatches(jwt, sha256)) return keyNotFound;
        if (!verifyRs256(jwt, cert.publicKey) && !verifyPs256(jwt, cert.publicKey)) {
          return badAssertion('The signature does not match the registered certificate.');
        }
      }
      if (
        client.certificateThumbprint !== undefined &&
        !thumbprintMatches(jwt, client.certificateThumbprint)
      ) {
        return keyNotFound;
      }
      return undefined;
    }
    return {
      status: 401,
      error: 'invalid_client',
      code: 7000218,
      description:
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    };
  }

  private clientCredentials(
    client: EntraClientRegistration & { servicePrincipalId: string },
    tid: string,
    appidacr: string,
    form: Record<string, string>,
  ): EntraErrorAnswer | { body: unknown } {
    const scope = (form['scope'] ?? '').trim();
    if (!scope) {
      return {
        status: 400,
        error: 'invalid_request',
        code: 900144,
        description: "The request body must contain the following parameter: 'scope'.",
      };
    }
    const resource = scope.split(/\s+/).find((s) => s.endsWith('/.default'));
    if (!resource) {
      return {
        status: 400,
        error: 'invalid_scope',
        code: 1002012,
        description:
          `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value ` +
          'with /.default suffixed to the resource identifier (application ID URI).',
      };
    }
    const iat = Math.floor(this.now() / 1000);
    const iss = `https://sts.windows.net/${tid}/`;
    const claims: JwtClaims = {
      aud: resource.slice(0, -'/.default'.length),
      iss,
      iat,
      nbf: iat,
      exp: iat + 3599,
      aio: randomBytes(24).toString('base64url'),
      app_displayname: client.displayName ?? client.clientId,
      appid: client.clientId,
      appidacr,
      azp: client.clientId,
      idp: iss,
      idtyp: 'app',
      oid: client.servicePrincipalId,
      rh: `0.${randomBytes(16).toString('base64url')}.`,
      sub: client.servicePrincipalId,
      tid,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
    };
    if (client.roles && client.roles.length > 0) claims['roles'] = [...client.roles];
    return {
      body: {
        token_type: 'Bearer',
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: this.issue(signRs256(claims, this.privateKey, this.kid)),
      },
    };
  }

  private onBehalfOf(
    client: EntraClientRegistration,
    tenant: string,
    appidacr: string,
    form: Record<string, string>,
  ): EntraErrorAnswer | { body: unknown } {
    if (form['requested_token_use'] !== 'on_behalf_of') {
      return {
        status: 400,
        error: 'invalid_request',
        code: 900144,
        description: "The request body must contain the following parameter: 'requested_token_use'.",
      };
    }
    const assertion = form['assertion'];
    if (!assertion) {
      return {
        status: 400,
        error: 'invalid_request',
        code: 900144,
        description: "The request body must contain the following parameter: 'assertion'.",
      };
    }
    const jwt = decodeJwt(assertion);
    if (!jwt)
      return {
        status: 400,
        error: 'invalid_request',
        code: 50027,
        description: 'JWT token is invalid or malformed.',
      };
    if (jwt.header['kid'] !== this.kid || !verifyRs256(jwt, this.publicKey)) {
      return {
        status: 400,
        error: 'invalid_grant',
        code: 50013,
        description: 'Assertion failed signature validation. [Reason - The key was not found.]',
      };
    }
    const claims = jwt.payload;
    const nowSec = Math.floor(this.now() / 1000);
    const exp = typeof claims['exp'] === 'number' ? claims['exp'] : 0;
    const nbf = typeof claims['nbf'] === 'number' ? claims['nbf'] : 0;
    if (exp <= nowSec || nbf > nowSec) {
      return {
        status: 400,
        error: 'invalid_grant',
        code: 500133,
        description:
          'Assertion is not within its valid time range. Ensure that the access token is not expired before using ' +
          `it for user assertion, or request a new token. Current time: ${entraTime(this.now())}, expiry time of ` +
          `assertion ${entraTime(exp * 1000)}.`,
      };
    }
    const audiences = [client.clientId, ...(client.appIdUris ?? [])];
    if (typeof claims['aud'] !== 'string' || !audiences.includes(claims['aud'])) {
      return {
        status: 400,
        error: 'invalid_grant',
        code: 500131,
        description:
          `Assertion audience does not match the Client app presenting the assertion. The audience in the ` +
          `assertion was '${String(claims['aud'])}' and the expected audience is '${client.clientId}' or one of ` +
          'the Application Id URIs of this application.',
      };
    }

    const requested = (form['scope'] ?? '').split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s));
    if (requested.length === 0) {
      return {
        status: 400,
        error: 'invalid_request',
        code: 900144,
        description: "The request body must contain the following parameter: 'scope'.",
      };
    }
    const resourceOf = (s: string): string => {
      const slash = s.lastIndexOf('/');
      return s.includes('://') && slash > s.indexOf('://') + 2 ? s.slice(0, slash) : GRAPH_RESOURCE;
    };
    const resource = resourceOf(requested[0] ?? '');
    const granted = new Set<string>();
    const notConsented: string[] = [];
    for (const s of requested) {
      const name = s.includes('://') ? s.slice(s.lastIndexOf('/') + 1) : s;
      if (name === '.default') {
        for (const d of client.delegatedScopes ?? []) granted.add(d);
      } else if (client.delegatedScopes === undefined || client.delegatedScopes.includes(name)) {
        granted.add(name);
      } else {
        notConsented.push(name);
      }
    }
    if (notConsented.length > 0) {
      return {
        status: 400,
        error: 'invalid_grant',
        suberror: 'consent_required',
        code: 65001,
        description:
          `The user or administrator has not consented to use the application with ID '${client.clientId}'. ` +
          `Send an interactive authorization request for this user and resource (${notConsented.join(', ')}).`,
      };
    }

    const tid =
      typeof claims['tid'] === 'string'
        ? claims['tid']
        : TENANT_ALIASES.has(tenant)
          ? client.tenantId
          : tenant;
    const oid = String(claims['oid'] ?? '');
    const upn = String(claims['upn'] ?? claims['preferred_username'] ?? '');
    const iss = `https://sts.windows.net/${tid}/`;
    const token: JwtClaims = {
      aud: resource,
      iss,
      iat: nowSec,
      nbf: nowSec,
      exp: nowSec + 3599,
      acct: 0,
      acr: '1',
      aio: randomBytes(24).toString('base64url'),
      amr: ['pwd'],
      app_displayname: client.displayName ?? client.clientId,
      appid: client.clientId,
      appidacr,
      idtyp: 'user',
      ipaddr: '127.0.0.1',
      name: claims['name'],
      oid,
      rh: `0.${randomBytes(16).toString('base64url')}.`,
      scp: [...granted].join(' '),
      sub: pairwiseSub(oid, resource),
      tid,
      unique_name: upn,
      upn,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
    };
    return {
      body: {
        token_type: 'Bearer',
        scope: requested.join(' '),
        expires_in: 3599,
        ext_expires_in: 3599,
        access_token: this.issue(signRs256(token, this.privateKey, this.kid)),
      },
    };
  }

  private openIdConfiguration(tenant: string, version: 'v1' | 'v2'): Record<string, unknown> {
    const b = `${this.url}/${tenant}`;
    const issuerTenant = TENANT_ALIASES.has(tenant) ? '{tenantid}' : tenant;
    const common = {
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      request_uri_parameter_supported: false,
      tenant_region_scope: 'NA',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
      rbac_url: 'https://pas.windows.net',
    };
    if (version === 'v1') {
      return {
        ...common,
        token_endpoint: `${b}/oauth2/token`,
        jwks_uri: `${b}/discovery/keys`,
        issuer: `${this.url}/${issuerTenant}/`,
        authorization_endpoint: `${b}/oauth2/authorize`,
        device_authorization_endpoint: `${b}/oauth2/devicecode`,
        end_session_endpoint: `${b}/oauth2/logout`,
        check_session_iframe: `${b}/oauth2/checksession`,
        userinfo_endpoint: `${b}/openid/userinfo`,
        scopes_supported: ['openid'],
        claims_supported: v1Claims,
        microsoft_multi_refresh_token: true,
      };
    }
    return {
      ...common,
      token_endpoint: `${b}/oauth2/v2.0/token`,
      jwks_uri: `${b}/discovery/v2.0/keys`,
      issuer: `${this.url}/${issuerTenant}/v2.0`,
      authorization_endpoint: `${b}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${b}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `${b}/oauth2/v2.0/logout`,
      kerberos_endpoint: `${b}/kerberos`,
      userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      claims_supported: v2Claims,
    };
  }

  private errorBody(e: EntraErrorAnswer, correlationId: string): Record<string, unknown> {
    const traceId = randomUUID();
    const timestamp = entraTime(this.now());
    const body: Record<string, unknown> = {
      error: e.error,
      error_description: `AADSTS${e.code}: ${e.description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [e.code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `${this.url}/error?code=${e.code}`,
    };
    if (e.suberror !== undefined) body['suberror'] = e.suberror;
    if (e.claims !== undefined) body['claims'] = e.claims;
    return body;
  }
}

const v2Claims = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'nonce',
  'preferred_username',
  'name',
  'tid',
  'ver',
  'at_hash',
  'c_hash',
  'email',
];
const v1Claims = [
  'sub',
  'iss',
  'cloud_instance_name',
  'cloud_instance_host_name',
  'cloud_graph_host_name',
  'msgraph_host',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'acr',
  'amr',
  'nonce',
  'email',
  'given_name',
  'family_name',
  'nickname',
];

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function redactForm(form: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(form)) out[k] = REDACTED_FORM_FIELDS.has(k) ? '***' : v;
  return out;
}

/** Entra's timestamp format: 'YYYY-MM-DD HH:MM:SSZ'. */
function entraTime(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** Entra's `sub` is pairwise per app; a stable hash keeps that property. */
function pairwiseSub(oid: string, app: string): string {
  return createHash('sha256').update(`${oid}|${app}`).digest('base64url').slice(0, 43);
}

function thumbprintMatches(jwt: DecodedJwt, registered: string): boolean {
  const normalized = /^[0-9a-f]+$/i.test(registered)
    ? Buffer.from(registered, 'hex').toString('base64url')
    : registered;
  const strip = (v: unknown): string => String(v ?? '').replace(/=+$/, '');
  return [jwt.header['x5t'], jwt.header['x5t#S256']].some(
    (v) => v !== undefined && strip(v) === strip(normalized),
  );
}

/** MSAL Node signs client assertions with PS256 for some key types; accept it alongside RS256. */
function verifyPs256(jwt: DecodedJwt, key: KeyObject): boolean {
  if (jwt.header['alg'] !== 'PS256') return false;
  try {
    return verify(
      'sha256',
      Buffer.from(jwt.signingInput),
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
      jwt.signature,
    );
  } catch {
    return false;
  }
}
