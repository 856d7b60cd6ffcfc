import type { Clock } from '../../infra/clock';

/**
 * One Retry-After for every worker of a run: a 429 on any item pauses all sends until Graph's window
 * reopens, instead of each worker spending more requests to learn the same thing.
 */
export class ThrottleGate {
  private until = 0;

  constructor(private readonly clock: Clock) {}

  /** Holds every send for `ms` from now (a later block wins). */
  block(ms: number): void {
    this.until = Math.max(this.until, this.clock.now() + Math.max(0, ms));
  }

  /** Milliseconds until sends may resume (0 when open). */
  remaining(): number {
    return Math.max(0, this.until - this.clock.now());
  }

  /** Resolves once sends may resume. */
  async wait(): Promise<void> {
    for (let ms = this.remaining(); ms > 0; ms = this.remaining()) await this.clock.sleep(ms);
  }
}

/**
 * At most `limit` requests per sliding `windowMs` for each key: how a run stays under a limit Graph states
 * in advance (provisionOnDemand: 5 per 10 s) rather than learning it from 429s.
 */
export class SlidingWindowLimiter {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Waits until `count` (≤ limit) requests may go for `key`, then books them at the current time. */
  async acquire(key: string, count: number): Promise<void> {
    const n = Math.min(Math.max(1, count), this.limit);
    for (;;) {
      const now = this.clock.now();
      const recent = (this.sent.get(key) ?? []).filter((t) => t > now - this.windowMs);
      if (recent.length + n <= this.limit) {
        for (let i = 0; i < n; i++) recent.push(now);
        this.sent.set(key, recent);
        return;
      }
      this.sent.set(key, recent);
      const freeAt = (recent[recent.length + n - this.limit - 1] ?? now) + this.windowMs;
      await this.clock.sleep(Math.max(1, freeAt - now + 1));
    }
  }
}

/** Backoff when Graph throttles without saying how long: 1 s, 2 s, 4 s … up to a minute. */
export function throttleBackoff(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
}
