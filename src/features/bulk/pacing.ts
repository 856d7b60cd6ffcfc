import type { Clock } from '../../infra/clock';
import { WindowLog } from '../../infra/rate-window';

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
 * in advance (provisionOnDemand: 5 per 10 s) rather than learning it from 429s. The same sliding-window log
 * the Teams send limiter keeps, one per key.
 */
export class SlidingWindowLimiter {
  private readonly logs = new Map<string, WindowLog>();

  constructor(
    private readonly clock: Clock,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Books `count` (≤ limit) requests for `key` at the earliest time the window allows, and waits until then. */
  async acquire(key: string, count: number): Promise<void> {
    let log = this.logs.get(key);
    if (!log) {
      log = new WindowLog([{ limit: this.limit, ms: this.windowMs }]);
      this.logs.set(key, log);
    }
    const now = this.clock.now();
    const at = log.earliest(now, count);
    log.book(at, Math.min(Math.max(1, count), this.limit));
    if (at > now) await this.clock.sleep(at - now);
  }
}

/** Backoff when Graph throttles without saying how long: 1 s, 2 s, 4 s … up to a minute. */
export function throttleBackoff(attempt: number): number {
  return Math.min(60_000, 1000 * 2 ** Math.max(0, attempt - 1));
}
