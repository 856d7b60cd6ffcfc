import type { RunClock } from '../../src/bulk/pacing';

/** A run clock that only moves when something sleeps, by exactly the time slept. */
export class SleepingClock implements RunClock {
  readonly sleeps: number[] = [];

  constructor(public time = 0) {}

  now(): number {
    return this.time;
  }

  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
    await Promise.resolve();
  }
}

/** A run clock whose sleeps last until the test advances it, so a test can look at a run mid-wait. */
export class HeldClock implements RunClock {
  time = 1_000_000;
  readonly waiting: Array<{ at: number; resolve: () => void }> = [];

  now(): number {
    return this.time;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ at: this.time + ms, resolve }));
  }

  /** Ends every sleep now under way, moving time to the latest of them. */
  advance(): void {
    for (const w of this.waiting.splice(0)) {
      this.time = Math.max(this.time, w.at);
      w.resolve();
    }
  }
}
