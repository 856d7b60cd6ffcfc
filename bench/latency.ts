/**
 * Turn latency: `retry-provisioning alice@contoso.com` → confirmation card, beside a bare botbuilder echo bot
 * and beside the bot's own Graph look-up replayed alone, on both profiles, with the same warm processes.
 */
import { rmSync } from 'node:fs';
import { Agent } from 'node:https';
import { contosoSeed, FakeConnector, FakeGraph } from '../test/fakes';
import { percentile, pool, round } from './bench-lib';
import {
  botEnv,
  botUrl,
  call,
  dataDirFor,
  forgetRecorded,
  LOAD,
  POPULATION,
  startBuiltBot,
  startEchoBot,
  turn,
  type Tenant,
} from './harness';
import type { LoadPeaks, Seats } from './population';
import { PROFILES, ServiceTimes, type Profile } from './profiles';
import { createAppCredential, graphScope, loadConfig } from './project';
import { COMMAND, SETTINGS } from './settings';

/** A bot as the harness drives it: its conversations, and where the arrival of its replies is noted. */
interface Driven {
  readonly seats: Seats;
  readonly load: LoadPeaks;
}

/** The fakes and processes of one run. */
interface Rig {
  readonly graph: FakeGraph;
  readonly connector: FakeConnector;
  readonly times: ServiceTimes;
  readonly echo: Driven;
  readonly bot: Driven;
  readonly replay: Replay;
}

/**
 * The Graph reads one command turn makes, replayable from the bench client with the app's token: the look-up,
 * then what the diagnosis reads from its answer (for an address conflict, the holder searched in users,
 * groups and contacts at once). Stages go one after another; the reads of a stage go together.
 */
interface Replay {
  readonly stages: readonly (readonly string[])[];
  readonly token: string;
}

/** How many rounds of how many turns each bot takes at `concurrency` on `profile`. */
function roundsAt(profile: Profile, concurrency: number): { rounds: number; turns: number } {
  return SETTINGS.latency.rounds[profile.name][concurrency] ?? { rounds: 6, turns: 100 };
}

/** The latencies of one round of `count` turns at `concurrency`. */
async function measureRound(rig: Rig, who: Driven, concurrency: number, count: number) {
  const latencies: number[] = [];
  await pool(count, concurrency, async () => {
    latencies.push(await turn(who.seats, rig.connector, COMMAND, who.load));
  });
  forgetRecorded(rig.connector, rig.graph);
  return latencies;
}

/**
 * The Graph reads of one turn, recorded from a single turn after the warm-up, replayed over keep-alive: the
 * part of a turn the echo bot has no counterpart for. The first read is the look-up; the diagnosis sends the
 * rest together once the look-up has answered (src/domain/actions/diagnosis-facts.ts).
 */
async function recordReplay(
  rig: Omit<Rig, 'replay'>,
  who: Driven,
  env: Record<string, string>,
): Promise<Replay> {
  rig.graph.resetRecords();
  await turn(who.seats, rig.connector, COMMAND, who.load);
  forgetRecorded(rig.connector);
  const reads = rig.graph.requests
    .filter((r) => r.method === 'GET')
    .map((r) => `${rig.graph.url}${r.rawUrl}`);
  rig.graph.resetRecords();
  const [lookup, ...rest] = reads;
  if (!lookup) throw new Error('the bot made no Graph look-up during the warm-up');
  const config = loadConfig({ ...env, PORT: '0' });
  const issued = await createAppCredential(config.aad).getToken(graphScope(config.graphBaseUrl));
  if (!issued) throw new Error('no app token for the look-up replay');
  return { stages: rest.length > 0 ? [[lookup], rest] : [[lookup]], token: issued.token };
}

/** The replayed reads in words: "GET /v1.0/users/…, then 3 at once (/v1.0/users, …)". */
function describeReplay(replay: Replay): string {
  const path = (url: string) => new URL(url).pathname;
  return replay.stages
    .map((stage) =>
      stage.length === 1
        ? `GET ${path(stage[0]!)}`
        : `${stage.length} at once (${stage.map(path).join(', ')})`,
    )
    .join(', then ');
}

/**
 * One replayed GET. A keep-alive socket the fake closed while idle between rounds fails with ECONNRESET before
 * any answer; the read is sent again on a fresh socket, as an HTTP client does for an idempotent request.
 */
async function replayed(agent: Agent, url: string, token: string) {
  try {
    return await call(agent, 'GET', url, token);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err;
    return call(agent, 'GET', url, token);
  }
}

/** The latencies of `count` replayed turns' Graph reads at `concurrency`. */
async function lookupRound(rig: Rig, agent: Agent, concurrency: number, count: number) {
  const latencies: number[] = [];
  await pool(count, concurrency, async () => {
    const started = performance.now();
    for (const stage of rig.replay.stages) {
      const answers = await Promise.all(stage.map((url) => replayed(agent, url, rig.replay.token)));
      const refused = answers.find((a) => a.status !== 200);
      if (refused) throw new Error(`a replayed read answered ${refused.status}`);
    }
    latencies.push(performance.now() - started);
  });
  rig.graph.resetRecords();
  return latencies;
}

const stats = (xs: number[]) => ({
  p50Ms: round(percentile(xs, 50), 2),
  p99Ms: round(percentile(xs, 99), 2),
});

/**
 * One level on one profile: echo and bot alternate in short rounds (see SETTINGS.latency.rounds), then the
 * replayed look-up takes the same round; each of the three starts the service times from the round's seed.
 * p50 and p99 are over all their turns. `vsEcho` is the bot's p50 over the echo bot's; `vsBaseline` over the
 * echo bot's plus the look-up's, the goal's baseline: the least a turn that must ask Graph can cost.
 */
async function measureLevel(rig: Rig, profile: Profile, concurrency: number) {
  const plan = roundsAt(profile, concurrency);
  const echo: number[] = [];
  const bot: number[] = [];
  const lookup: number[] = [];
  const roundRatios = { vsEcho: [] as number[], vsBaseline: [] as number[] };
  // A socket for every read a stage sends at once, as the bot's Graph client opens them.
  const widest = Math.max(...rig.replay.stages.map((stage) => stage.length));
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency * widest });
  try {
    rig.times.use(profile, 0);
    await lookupRound(rig, agent, concurrency, concurrency * 2);
    for (let i = 0; i < plan.rounds; i++) {
      const seed = concurrency * 1000 + i;
      const run = (who: Driven) => {
        rig.times.use(profile, seed);
        return measureRound(rig, who, concurrency, plan.turns);
      };
      const echoFirst = i % 2 === 0;
      const first = await run(echoFirst ? rig.echo : rig.bot);
      const second = await run(echoFirst ? rig.bot : rig.echo);
      const [e, b] = echoFirst ? [first, second] : [second, first];
      rig.times.use(profile, seed);
      const l = await lookupRound(rig, agent, concurrency, plan.turns);
      echo.push(...e);
      bot.push(...b);
      lookup.push(...l);
      const [e50, b50, l50] = [e, b, l].map((xs) => percentile(xs, 50)) as [number, number, number];
      roundRatios.vsEcho.push(round(b50 / e50, 2));
      roundRatios.vsBaseline.push(round(b50 / (e50 + l50), 2));
    }
  } finally {
    agent.destroy();
  }
  const level = { echo: stats(echo), bot: stats(bot), lookup: stats(lookup) };
  const baselineP50Ms = round(level.echo.p50Ms + level.lookup.p50Ms, 2);
  const headline = profile.name === 'loopback' ? roundRatios.vsEcho : roundRatios.vsBaseline;
  return {
    concurrency,
    turns: bot.length,
    rounds: plan.rounds,
    ...level,
    baselineP50Ms,
    vsEcho: round(level.bot.p50Ms / level.echo.p50Ms, 2),
    vsBaseline: round(level.bot.p50Ms / baselineP50Ms, 2),
    spread: {
      min: Math.min(...headline),
      median: round(percentile(headline, 50), 2),
      max: Math.max(...headline),
    },
  };
}

type Level = Awaited<ReturnType<typeof measureLevel>>;

/**
 * One latency run: a fresh fake Graph, connector, store and pair of bots. Both bots warm up on loopback and are
 * measured there at every level; then the fakes switch to the realistic profile, both bots take a short
 * warm-up at 64 at a time, and are measured again.
 */
async function latencyRun(
  tenant: Tenant,
): Promise<Record<Profile['name'], Level[]> & { graphReads: string }> {
  const times = new ServiceTimes();
  const graph = await FakeGraph.start({
    entra: tenant.entra,
    seed: contosoSeed(new Date()),
    latencyMs: times.graph,
  });
  const connector = await FakeConnector.start({ latencyMs: times.connector });
  const dataDir = dataDirFor('bench-latency-');
  const env = botEnv(tenant.entra, graph, dataDir);
  const ours = await startBuiltBot(env);
  const echoBot = await startEchoBot();
  try {
    // Both bots get the same conversations, in the same order.
    const bot = { seats: POPULATION.seats(botUrl(ours.port), connector.url), load: LOAD.bot };
    const echo = { seats: POPULATION.seats(botUrl(echoBot.port), connector.url), load: LOAD.echo };
    const warm = async (warmup: { turns: number; concurrency: number }) => {
      for (const warming of [bot, echo]) {
        await pool(
          warmup.turns,
          warmup.concurrency,
          async () => void (await turn(warming.seats, connector, COMMAND, warming.load)),
        );
        forgetRecorded(connector);
      }
    };
    times.use(PROFILES.loopback, 0);
    await warm(SETTINGS.latency.warmup);
    const replay = await recordReplay({ graph, connector, times, echo, bot }, bot, env);
    const rig: Rig = { graph, connector, times, echo, bot, replay };
    const loopback: Level[] = [];
    for (const c of SETTINGS.latency.levels) loopback.push(await measureLevel(rig, PROFILES.loopback, c));
    times.use(PROFILES.realistic, 0);
    await warm(SETTINGS.latency.realisticWarmup);
    graph.resetRecords();
    const realistic: Level[] = [];
    for (const c of SETTINGS.latency.levels) realistic.push(await measureLevel(rig, PROFILES.realistic, c));
    return { loopback, realistic, graphReads: describeReplay(replay) };
  } finally {
    await Promise.all([ours.stop(), echoBot.stop()]);
    await Promise.all([connector.close(), graph.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * SETTINGS.latency.runs runs, each with its own processes; per profile and level the table shows the run with
 * the median headline ratio (loopback: bot over echo; realistic: bot over echo + look-up), and every run's
 * ratio beside it, as the bulk section does with its runs.
 */
export async function benchLatency(tenant: Tenant) {
  const runs: Array<Awaited<ReturnType<typeof latencyRun>>> = [];
  for (let i = 0; i < SETTINGS.latency.runs; i++) runs.push(await latencyRun(tenant));
  const pick = (name: Profile['name']) =>
    SETTINGS.latency.levels.map((concurrency, index) => {
      const ratio = (l: Level) => (name === 'loopback' ? l.vsEcho : l.vsBaseline);
      const measured = runs.map((r) => r[name][index]!);
      const median = [...measured].sort((a, b) => ratio(a) - ratio(b))[Math.floor(measured.length / 2)]!;
      return { ...median, concurrency, runRatios: measured.map(ratio) };
    });
  return {
    command: COMMAND,
    graphReads: runs[0]?.graphReads ?? '',
    loopback: pick('loopback'),
    realistic: pick('realistic'),
  };
}

export type LatencyResult = Awaited<ReturnType<typeof benchLatency>>;
