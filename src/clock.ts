/** A source of time, injected so expiry and deadlines are testable without sleeping. */
export interface Clock {
  now(): Date;
}

/** The wall clock used in production. */
export const systemClock: Clock = { now: () => new Date() };
