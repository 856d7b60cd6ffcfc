import type { Clock, Repeating } from '../../src/infra/clock';

/**
 * How a manual clock's sleeps end: `advance` at once, moving time forward by what was slept (for a whole bot
 * under test, where nothing drives time); `hold` only when the test moves time past their wake-up.
 */
export type SleepMode = 'advance' | 'hold';

/**
 * The one clock tests move by hand, for the bot (src/infra/clock.ts) and the fakes alike, so token expiry, rate-limit
 * windows, Retry-After, pacing and the monitor interval are exercised without sleeping. Pass `clock.now` as
 * the `now` option of the fakes (it is a bound arrow function).
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly waits: Array<{ at: number; wake: () => void }> = [];
  /** Every repeating task asked for, with its period; `fire()` runs the live ones. */
  readonly repeating: Array<{ readonly ms: number; readonly task: () => void; cancelled: boolean }> = [];
  /** Every sleep asked for, in order, in milliseconds. */
  readonly sleeps: number[] = [];

  constructor(
    startMs: number = Date.now(),
    private readonly mode: SleepMode = 'advance',
  ) {
    this.current = startMs;
  }

  /** Current time in epoch milliseconds. */
  readonly now = (): number => this.current;

  /** Records the sleep; in `advance` mode moves time on and resolves on the next turn of the event loop. */
  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    const at = this.current + Math.max(0, ms);
    if (this.mode === 'advance') {
      this.current = at;
      return new Promise((resolve) => setImmediate(resolve));
    }
    return new Promise((wake) => this.waits.push({ at, wake }));
  }

  /** Records the task; it runs only when the test calls `fire()`. */
  every(ms: number, task: () => void): Repeating {
    const entry = { ms, task, cancelled: false };
    this.repeating.push(entry);
    return { cancel: () => (entry.cancelled = true) };
  }

  /** Runs every live repeating task once, as if its period had elapsed. */
  fire(): void {
    for (const r of this.repeating) if (!r.cancelled) r.task();
  }

  /** How many sleeps (in `hold` mode) wait for time to move. */
  get waiting(): number {
    return this.waits.length;
  }

  /** Moves time forward (or backward with a negative value), ending the sleeps due by then. */
  advance(ms: number): void {
    this.set(this.current + ms);
  }

  /** Jumps to an absolute time, ending the sleeps due by then, earliest first. */
  set(ms: number): void {
    this.current = ms;
    this.waits.sort((a, b) => a.at - b.at);
    while (this.waits[0] && this.waits[0].at <= ms) this.waits.shift()?.wake();
  }

  /** Ends every sleep now waiting, moving time to the latest wake-up among them. */
  wakeAll(): void {
    const latest = Math.max(this.current, ...this.waits.map((w) => w.at));
    this.set(latest);
  }

  /**
   * Drives time until `work` settles: lets whatever is ready run, then moves to the next wake-up, so pacing
   * and backoff are checked exactly and instantly. Throws when nothing is left to wake and `work` still waits.
   */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return done;
      const next = this.waits.reduce<number | undefined>((min, w) => Math.min(min ?? w.at, w.at), undefined);
      if (next === undefined) {
        await new Promise((resolve) => setImmediate(resolve));
        if (settled) return done;
        throw new Error('Manual time is stuck: nothing to wake and the work has not settled');
      }
      this.set(Math.max(this.current, next));
    }
  }
}
