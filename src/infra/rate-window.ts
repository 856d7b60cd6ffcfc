/** At most `limit` operations in any `ms` milliseconds: a limit Teams or Graph states in advance. */
export interface RateWindow {
  readonly limit: number;
  readonly ms: number;
}

/**
 * When the operations of one key (a conversation, a tenant, a synchronization job) went or are booked to go, and the earliest moment
 * more may go so that every sliding window stays within its limit: any `limit + 1` operations in a row span at
 * least `ms`. Bookings only move forward in time, so a reservation made for later keeps its place.
 */
export class WindowLog {
  private readonly times: number[] = [];
  private readonly longest: number;

  constructor(private readonly windows: readonly RateWindow[]) {
    this.longest = Math.max(0, ...windows.map((w) => w.ms));
  }

  /** The earliest time, not before `now` nor before the last booking, at which `count` more may go together. */
  earliest(now: number, count = 1): number {
    this.forget(now);
    let at = Math.max(now, this.times[this.times.length - 1] ?? now);
    for (const w of this.windows) {
      const n = Math.min(Math.max(1, count), w.limit);
      const blocker = this.times[this.times.length - (w.limit - n) - 1];
      if (blocker !== undefined) at = Math.max(at, blocker + w.ms);
    }
    return at;
  }

  /** Records `count` operations at `at` (not before the last booking). */
  book(at: number, count = 1): void {
    for (let i = 0; i < Math.max(1, count); i++) this.times.push(at);
  }

  /** True when nothing recorded can hold back a later operation. */
  isIdle(now: number): boolean {
    this.forget(now);
    return this.times.length === 0;
  }

  private forget(now: number): void {
    let stale = 0;
    while (stale < this.times.length && (this.times[stale] ?? 0) + this.longest <= now) stale++;
    if (stale > 0) this.times.splice(0, stale);
  }
}
