/**
 * The two ways the benchmark runs the fakes. **Loopback**: the fake Graph and Bot Connector answer at once,
 * so a turn costs only the processes' own work; it is sensitive to a regression in that work and to nothing
 * else. **Realistic**: each request to the fake Graph takes 40–120 ms and each to the fake Bot Connector
 * 20–60 ms before it is answered, roughly what those services take from an Azure region, so the numbers say
 * what a user would feel.
 */

/** How long a fake service takes to answer one request: uniform between `minMs` and `maxMs`. */
export interface ServiceTime {
  readonly minMs: number;
  readonly maxMs: number;
}

/** The service time of each fake the bot talks to. */
export interface Profile {
  readonly name: 'loopback' | 'realistic';
  readonly graph: ServiceTime;
  readonly connector: ServiceTime;
}

export const PROFILES = {
  loopback: { name: 'loopback', graph: { minMs: 0, maxMs: 0 }, connector: { minMs: 0, maxMs: 0 } },
  realistic: {
    name: 'realistic',
    graph: { minMs: 40, maxMs: 120 },
    connector: { minMs: 20, maxMs: 60 },
  },
} as const satisfies Record<string, Profile>;

/** The middle of a service time's range: the p50 of its uniform draws. */
export function midpoint(t: ServiceTime): number {
  return (t.minMs + t.maxMs) / 2;
}

/** mulberry32: a small, fast seeded generator of numbers in [0, 1); the same seed gives the same sequence. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What the fakes ask, once per request, for how long to take. The harness switches the profile between phases
 * of a run, so one pair of warm processes is measured on both, and reseeds before each measured round, so
 * the bot, the echo bot and the replayed Graph look-up draw the same sequence of service times: they differ
 * in their own work, not in their luck.
 */
export class ServiceTimes {
  private profile: Profile = PROFILES.loopback;
  private graphDraw = seeded(0);
  private connectorDraw = seeded(0);

  /** Uses `profile` from now on, its draws starting again from `seed`. */
  use(profile: Profile, seed: number): void {
    this.profile = profile;
    // Separate streams, so how many connector requests a round makes does not shift the Graph draws.
    this.graphDraw = seeded(seed * 2 + 1);
    this.connectorDraw = seeded(seed * 2 + 2);
  }

  get current(): Profile {
    return this.profile;
  }

  /** For FakeGraph's `latencyMs`. */
  readonly graph = (): number => draw(this.profile.graph, this.graphDraw);

  /** For FakeConnector's `latencyMs`. */
  readonly connector = (): number => draw(this.profile.connector, this.connectorDraw);
}

function draw(t: ServiceTime, next: () => number): number {
  return t.maxMs <= t.minMs ? t.minMs : t.minMs + (t.maxMs - t.minMs) * next();
}
