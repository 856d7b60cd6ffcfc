import { sign, verify, type KeyObject } from 'node:crypto';

/** A JWT split into its parts; the fakes need header and signature separately to mimic Entra's checks. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Claims as they appear in a JWT payload. */
export type JwtClaims = Record<string, unknown>;

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/** Signs a compact RS256 JWT with node:crypto, so the fakes need no JOSE dependency of their own. */
export function signRs256(
  payload: JwtClaims,
  privateKey: KeyObject,
  kid: string,
  extraHeader?: JwtClaims,
): string {
  const signingInput = `${encodeSegment({ typ: 'JWT', alg: 'RS256', kid, ...extraHeader })}.${encodeSegment(payload)}`;
  const signature = sign('sha256', Buffer.from(signingInput), privateKey);
  return `${signingInput}.${signature.toString('base64url')}`;
}

/** Decodes a compact JWT without trusting it; returns undefined when it is not well formed. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [h, p, s] = parts as [string, string, string];
  try {
    const header: unknown = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
    const payload: unknown = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    if (!isObject(header) || !isObject(payload)) return undefined;
    return { header, payload, signingInput: `${h}.${p}`, signature: Buffer.from(s, 'base64url') };
  } catch {
    return undefined;
  }
}

/** Checks an RS256 signature; used by the fakes to reject tokens signed with foreign keys. */
export function verifyRs256(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  if (jwt.header['alg'] !== 'RS256') return false;
  try {
    return verify('sha256', Buffer.from(jwt.signingInput), publicKey, jwt.signature);
  } catch {
    return false;
  }
}

/** Narrow unknown JSON to a plain object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
