import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Clock } from '../clock';

/** The approver as proven by a validated SSO token. */
export interface VerifiedUser {
  readonly oid: string;
  readonly tenantId: string;
  readonly name: string | undefined;
  readonly upn: string | undefined;
}

/** The token was refused; `reason` is safe to show and to log (it never contains the token). */
export class SsoTokenError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'SsoTokenError';
  }
}

/** What a token must match to be accepted. */
export interface SsoValidationSettings {
  readonly authorityHost: string;
  readonly audiences: readonly string[];
  readonly allowedTenantIds: readonly string[];
  readonly clock: Clock;
  /** Seconds of clock skew tolerated on exp and nbf; small, since Entra allows none on the exchange. */
  readonly clockToleranceSec?: number;
}

interface OpenIdMetadata {
  issuer: string;
  jwks_uri: string;
}

/**
 * Validates the Teams SSO token that arrives with a card click: signature against the authority's JWKS
 * (found through its openid-configuration), issuer and tenant, audience, lifetime, and that it belongs to
 * the person who clicked.
 */
export class SsoTokenValidator {
  private readonly metadata = new Map<string, Promise<OpenIdMetadata>>();
  private readonly keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(private readonly settings: SsoValidationSettings) {}

  async validate(token: string, expectedOid: string | undefined): Promise<VerifiedUser> {
    const tenantId = this.unverifiedTenant(token);
    if (!this.settings.allowedTenantIds.includes(tenantId.toLowerCase())) {
      throw new SsoTokenError(`tenant ${tenantId} is not allowed to use this bot`);
    }
    const metadata = await this.loadMetadata(tenantId);
    const issuer = metadata.issuer.replace('{tenantid}', tenantId);
    let keys = this.keySets.get(metadata.jwks_uri);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(metadata.jwks_uri));
      this.keySets.set(metadata.jwks_uri, keys);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        audience: [...this.settings.audiences],
        algorithms: ['RS256'],
        currentDate: new Date(this.settings.clock.now()),
        clockTolerance: this.settings.clockToleranceSec ?? 30,
      }));
    } catch (err) {
      throw new SsoTokenError(`the sign-in token was rejected (${describeJoseError(err)})`);
    }
    const oid = typeof payload.oid === 'string' ? payload.oid : undefined;
    if (!oid) throw new SsoTokenError('the sign-in token has no object id (oid)');
    if (payload.tid !== tenantId) throw new SsoTokenError('the sign-in token names another tenant');
    if (!expectedOid || oid.toLowerCase() !== expectedOid.toLowerCase()) {
      throw new SsoTokenError('the sign-in token belongs to someone other than the person who clicked');
    }
    return {
      oid,
      tenantId,
      name: typeof payload.name === 'string' ? payload.name : undefined,
      upn: stringClaim(payload, 'preferred_username') ?? stringClaim(payload, 'upn'),
    };
  }

  private unverifiedTenant(token: string): string {
    const parts = token.split('.');
    if (parts.length !== 3) throw new SsoTokenError('the sign-in token is not a JWT');
    try {
      const claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8')) as {
        tid?: unknown;
      };
      if (typeof claims.tid === 'string' && /^[0-9a-f-]{36}$/i.test(claims.tid)) return claims.tid;
    } catch {
      // fall through to the refusal below
    }
    throw new SsoTokenError('the sign-in token names no tenant');
  }

  private loadMetadata(tenantId: string): Promise<OpenIdMetadata> {
    let pending = this.metadata.get(tenantId);
    if (!pending) {
      const url = `${this.settings.authorityHost}/${tenantId}/v2.0/.well-known/openid-configuration`;
      pending = fetch(url).then(async (res) => {
        if (!res.ok) throw new SsoTokenError(`the sign-in authority answered ${res.status} for its metadata`);
        const body = (await res.json()) as Partial<OpenIdMetadata>;
        if (!body.issuer || !body.jwks_uri)
          throw new SsoTokenError('the sign-in authority metadata is incomplete');
        return { issuer: body.issuer, jwks_uri: body.jwks_uri };
      });
      pending.catch(() => this.metadata.delete(tenantId));
      this.metadata.set(tenantId, pending);
    }
    return pending.catch((err: unknown) => {
      if (err instanceof SsoTokenError) throw err;
      throw new SsoTokenError('the sign-in authority could not be reached to check the token');
    });
  }
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}

function describeJoseError(err: unknown): string {
  const code = (err as { code?: string }).code;
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'bad signature';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return `claim "${(err as { claim?: string }).claim ?? 'unknown'}" is wrong`;
    default:
      return code ?? 'invalid token';
  }
}
