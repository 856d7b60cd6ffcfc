/**
 * A clock tests move by hand, so token expiry and rate-limit windows are exercised without sleeping.
 * Pass `clock.now` as the `now` option of the fakes (it is a bound arrow function).
 */
export class ManualClock {
  private current: number;

  constructor(startMs: number = Date.now()) {
    this.current = startMs;
  }

  /** Current time in epoch milliseconds. */
  readonly now = (): number => this.current;

  /** Moves time forward (or backward with a negative value). */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Jumps to an absolute time. */
  set(ms: number): void {
    this.current = ms;
  }
}
