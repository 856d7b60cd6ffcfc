/** A repeating task that can be cancelled. */
export interface Repeating {
  cancel(): void;
}

/**
 * Time as every layer sees it: the current instant, a wait and a repeat. The composition root injects one
 * clock into everything that stamps, expires, paces or backs off, so a test moves time by hand
 * (test/fakes/manual-clock.ts) instead of sleeping. Deadlines on I/O (a Graph call's timeout, an invoke's
 * answer) stay on real timers: they bound real waits.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves once `ms` have passed (at once when `ms` ≤ 0). */
  sleep(ms: number): Promise<void>;
  /** Runs `task` every `ms` until cancelled. */
  every(ms: number, task: () => void): Repeating;
}

/** The wall clock and real timers; the interval is unref'd so it never keeps a stopping process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  every: (ms, task) => {
    const handle = setInterval(task, ms);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  },
};
