import type { AccessToken, TokenCredential } from '@azure/identity';
import { cachedAppToken, TOKEN_RENEW_MARGIN_MS } from '../../src/infra/auth/app-credential';

const HOUR = 3600_000;

/** A credential that hands out numbered tokens valid for `lifetimeMs` from the test's clock. */
function countingCredential(now: () => number, lifetimeMs: number, refreshAfterMs?: number) {
  const calls: string[] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const credential: TokenCredential = {
    async getToken(scope): Promise<AccessToken> {
      calls.push(String(scope));
      if (hold) await new Promise<void>((resolve) => (release = resolve));
      return {
        token: `token-${calls.length}`,
        expiresOnTimestamp: now() + lifetimeMs,
        ...(refreshAfterMs !== undefined ? { refreshAfterTimestamp: now() + refreshAfterMs } : {}),
      };
    },
  };
  return {
    credential,
    calls,
    holdNext: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe('cachedAppToken', () => {
  it.each([
    {
      case: 'well before expiry',
      lifetimeMs: HOUR,
      refreshAfterMs: undefined,
      advanceMs: 30 * 60_000,
      fetches: 1,
    },
    {
      case: 'inside the renewal margin',
      lifetimeMs: HOUR,
      refreshAfterMs: undefined,
      advanceMs: HOUR - TOKEN_RENEW_MARGIN_MS,
      fetches: 2,
    },
    {
      case: 'after Entra’s refresh-after time',
      lifetimeMs: HOUR,
      refreshAfterMs: 20 * 60_000,
      advanceMs: 20 * 60_000,
      fetches: 2,
    },
    {
      case: 'before Entra’s refresh-after time',
      lifetimeMs: HOUR,
      refreshAfterMs: 20 * 60_000,
      advanceMs: 19 * 60_000,
      fetches: 1,
    },
    {
      case: 'a token shorter-lived than the margin',
      lifetimeMs: 60_000,
      refreshAfterMs: undefined,
      advanceMs: 0,
      fetches: 2,
    },
  ])('$case → $fetches fetch(es)', async ({ lifetimeMs, refreshAfterMs, advanceMs, fetches }) => {
    let now = 1_000_000;
    const fake = countingCredential(() => now, lifetimeMs, refreshAfterMs);
    const token = cachedAppToken(fake.credential, 'https://graph.microsoft.com/.default', () => now);
    expect(await token()).toBe('token-1');
    now += advanceMs;
    expect(await token()).toBe(`token-${fetches}`);
    expect(fake.calls).toHaveLength(fetches);
    expect(fake.calls.every((s) => s === 'https://graph.microsoft.com/.default')).toBe(true);
  });

  it('asks the credential once for every caller waiting on a renewal', async () => {
    const fake = countingCredential(() => 0, HOUR);
    fake.holdNext();
    const token = cachedAppToken(fake.credential, 'scope', () => 0);
    const waiting = [token(), token(), token()];
    fake.release();
    expect(await Promise.all(waiting)).toEqual(['token-1', 'token-1', 'token-1']);
    expect(fake.calls).toHaveLength(1);
  });

  it('tries again on the next call after a failed fetch', async () => {
    let fail = true;
    const credential: TokenCredential = {
      getToken: async () => {
        if (fail) throw new Error('Entra unreachable');
        return { token: 'ok', expiresOnTimestamp: HOUR };
      },
    };
    const token = cachedAppToken(credential, 'scope', () => 0);
    await expect(token()).rejects.toThrow('Entra unreachable');
    fail = false;
    expect(await token()).toBe('ok');
  });

  it('refuses an empty answer from the credential', async () => {
    const credential = { getToken: async () => null } as unknown as TokenCredential;
    await expect(cachedAppToken(credential, 'scope', () => 0)()).rejects.toThrow(/could not be obtained/);
  });
});
