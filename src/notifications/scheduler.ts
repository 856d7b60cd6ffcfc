/** A repeating task that can be cancelled. */
export interface Repeating {
  cancel(): void;
}

/**
 * Time as the notification pipeline sees it: a monotonic-enough `now`, a way to wait and a way to repeat.
 * Injected so tests drive pacing, backoff and the monitor interval without sleeping.
 */
export interface Scheduler {
  /** Milliseconds since the epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
  every(ms: number, task: () => void): Repeating;
}

/** Real timers; the interval is unref'd so it never keeps a stopping process alive. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
  every: (ms, task) => {
    const handle = setInterval(task, ms);
    handle.unref();
    return { cancel: () => clearInterval(handle) };
  },
};
