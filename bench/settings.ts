/** The benchmark's parameters, in one place so the results can state them. */
import type { FakeThrottle } from '../test/fakes';
import { CONTOSO } from '../test/fakes';

/** Rounds of turns per concurrency level (see `latency.rounds`). */
type Rounds = Readonly<Record<number, { rounds: number; turns: number }>>;

export const SETTINGS = {
  /**
   * The latency, throughput and memory sections' turns go round-robin over this many channels in this many
   * tenants (see bench/population.ts). The fastest load here, 600 turns a second, keeps each conversation
   * near one turn every 1.7 s, well under Teams' tightest sustained window (60 in 30 s), and each tenant near
   * 12 a second, a quarter of the 50 a second per app and tenant; the echo bot's loopback bursts stay under
   * half of it.
   */
  population: { tenants: 50, conversations: 1000 },
  bulk: {
    /** Set as the run's BULK_MAX_TARGETS (the default is 5,000), so the budget is ten times a loop's rate. */
    users: 10_000,
    /**
     * Graph counts its budget over 10 s and answers Retry-After in whole seconds from its answer, so a client
     * that follows it resumes up to a second after the window reopens. A shorter window would turn that
     * rounding into most of the run (a 1 s window cost 25 % a window), which no client following Graph's
     * answers can avoid; the real window keeps the rounding to its share in production. Four windows.
     */
    throttle: { limit: 2500, windowMs: 10_000, scope: 'writes' } satisfies FakeThrottle,
    /**
     * The sequential loop takes this many of the users and is scaled to all of them: at one request per
     * Graph round trip it stays far under the budget, so its time is linear in the users (10,000 would take
     * seven minutes).
     */
    loopUsers: 1000,
    /**
     * On the loopback profile, the service time of each Graph request (a $batch counts once), as in every
     * earlier result, so the numbers compare; the realistic profile draws its own.
     */
    loopbackGraphLatencyMs: 40,
    /** Bot runs per profile, each on a fresh tenant, store and process; the median is reported. */
    runs: 3,
  },
  latency: {
    levels: [1, 16, 64],
    /**
     * Echo and bot alternate in short rounds, the one that goes first switching every round, so a change of the
     * machine's speed during a level (p50 of the same bot can drift by up to 2× over tens of seconds on a shared
     * VM) lands on both alike; p50 and p99 are over all of a level's turns. The replayed Graph look-up runs the
     * same rounds.
     */
    rounds: {
      loopback: {
        1: { rounds: 20, turns: 50 },
        16: { rounds: 10, turns: 160 },
        64: { rounds: 6, turns: 320 },
      } as Rounds,
      // A turn takes about 120 ms here: fewer turns at 1 keep the level near a minute.
      realistic: {
        1: { rounds: 10, turns: 20 },
        16: { rounds: 10, turns: 160 },
        64: { rounds: 6, turns: 320 },
      } as Rounds,
    },
    /**
     * Turns each bot takes before measuring, so both are measured at steady state. Under load both keep getting
     * faster for thousands of turns while V8 optimises their hot paths and sizes its heap: p50 per 800 turns at
     * 16 concurrent fell 35 → 12 ms for the echo bot and 54 → 21 ms for ours, levelling off after about 4,000.
     * The realistic profile runs on the same warm processes and adds a short warm-up of its own at 64 at a time,
     * so every connection pool the level needs is open before it is measured.
     */
    warmup: { turns: 5000, concurrency: 16 },
    realisticWarmup: { turns: 1000, concurrency: 64 },
    /** Runs, each with fresh bots; a single run's ratio at 1 concurrent swings by ±15% on a shared VM. */
    runs: 3,
  },
  /**
   * Sustained load on the realistic profile: turns offered at a fixed rate (open loop: each turn starts on
   * schedule whether or not earlier ones were answered, and its latency counts from its scheduled start), one
   * step after another while the bot keeps up. A step is sustained when every turn was answered, turns were
   * answered at ≥ 98% of the rate offered, and p99 stayed under 1 s. The steps start well below the goal, so
   * a bot that misses it still shows how far it gets.
   */
  throughput: {
    rates: [100, 150, 200, 250, 300, 400, 500, 600],
    stepS: 15,
    /** Seconds at the start of a step left out of the answered rate, while the first turns are still in flight. */
    settleS: 2,
    warmup: { turns: 5000, concurrency: 64 },
    goal: { turnsPerSecond: 300, p99Ms: 1000, answeredShare: 0.98 },
  },
  memory: { turns: 10_000, concurrency: 16, quietS: 45 },
  coldStart: { runs: 5 },
} as const;

/** The people in Contoso the bulk section acts as. */
export const PEOPLE = {
  ada: { name: 'Ada Admin', aadObjectId: CONTOSO.admins.ada },
  reggie: { name: 'Reggie Requester', aadObjectId: CONTOSO.admins.reggie },
};

/** The command every latency, throughput and memory turn sends. */
export const COMMAND = 'retry-provisioning alice@contoso.com';
