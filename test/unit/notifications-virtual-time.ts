import type { Repeating, Scheduler } from '../../src/notifications/scheduler';

/**
 * A scheduler whose clock only moves when the test lets it: `run(promise)` advances to each pending wake-up
 * in order until the promise settles, so pacing and backoff are checked exactly and instantly.
 */
export class VirtualScheduler implements Scheduler {
  private time: number;
  private readonly timers: Array<{ at: number; wake: () => void }> = [];
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((wake) => this.timers.push({ at: this.time + Math.max(0, ms), wake }));
  }

  every(): Repeating {
    return { cancel: () => undefined };
  }

  /** Drives virtual time until `work` settles; returns its value. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const done = work.finally(() => {
      settled = true;
    });
    for (;;) {
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return done;
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers.shift();
      if (!next) {
        await new Promise((resolve) => setImmediate(resolve));
        if (settled) return done;
        throw new Error('Virtual time is stuck: nothing to wake and the work has not settled');
      }
      this.time = Math.max(this.time, next.at);
      next.wake();
    }
  }
}
