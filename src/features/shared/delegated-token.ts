import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/** A delegated Graph token and when it expires (epoch ms, on the wall clock of whoever issued it). */
export interface IssuedToken {
  readonly token: string;
  readonly expiresOn: number;
}

/** Exchanges the approver's SSO token for a Graph token on their behalf (on-behalf-of). */
export type OnBehalfOfExchange = (assertion: string) => Promise<IssuedToken>;

/** Refresh this long before the Graph token expires, so no batch is sent with a token about to lapse. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * The approver's Graph token for a whole run, which can outlast one token: before each batch the run asks
 * for a fresh one, and when the current token is within the margin of expiry (or Graph answered 401) it is
 * exchanged again on-behalf-of the approver's SSO token. When that token has itself expired, the exchange
 * throws (OboError) and the run pauses for a new sign-in instead of failing items.
 */
export class RefreshingToken {
  private current: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly assertion: string,
    private readonly exchange: OnBehalfOfExchange,
    /** The run's clock; expiry is tracked on it from the lifetime the exchange reports. */
    private readonly now: () => number,
    private readonly marginMs = REFRESH_MARGIN_MS,
    private readonly wallNow: () => number = Date.now,
  ) {}

  /** A token good for at least the margin, exchanging again when needed (one exchange at a time). */
  async fresh(): Promise<string> {
    const held = this.current;
    if (held && held.expiresAt - this.now() > this.marginMs) return held.token;
    this.pending ??= this.renew().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Starts from a token already exchanged for the same sign-in (renewed like any other near its expiry). */
  seed(issued: IssuedToken): void {
    this.current ??= this.held(issued);
  }

  /** Forgets the current token, e.g. after Graph answered 401 to it. */
  invalidate(): void {
    this.current = undefined;
  }

  /** The SSO token the exchanges use, to persist (sealed) for a restart. */
  get ssoToken(): string {
    return this.assertion;
  }

  private async renew(): Promise<string> {
    const issued = await this.exchange(this.assertion);
    this.current = this.held(issued);
    return issued.token;
  }

  private held(issued: IssuedToken): { token: string; expiresAt: number } {
    const lifetime = Math.max(0, issued.expiresOn - this.wallNow());
    return { token: issued.token, expiresAt: this.now() + lifetime };
  }
}

const SEAL_VERSION = 'v1';

function keyFor(secret: Buffer, runId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'entra-chatops/bulk-run', runId, 32));
}

/**
 * Encrypts an approver's SSO token for storage (AES-256-GCM, a key derived per run from the app's own
 * credential), so a restarted bot can resume the run while the store never holds a usable token in clear.
 */
export function sealToken(secret: Buffer, runId: string, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyFor(secret, runId), iv);
  cipher.setAAD(Buffer.from(runId));
  const data = Buffer.concat([cipher.update(token, 'utf8'), cipher.final()]);
  return [SEAL_VERSION, iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** Decrypts a sealed token; undefined when it was sealed with another key or for another run. */
export function unsealToken(secret: Buffer, runId: string, sealed: string): string | undefined {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== SEAL_VERSION || !iv || !tag || data === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(secret, runId), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(runId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return undefined;
  }
}
