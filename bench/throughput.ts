/**
 * Sustained load on the realistic profile: command turns offered at a fixed rate, one step after another (see
 * SETTINGS.throughput), to the built bot on its own, with the CPU each process spent so a shortfall can be
 * placed.
 */
import { rmSync } from 'node:fs';
import { contosoSeed, FakeConnector, FakeGraph } from '../test/fakes';
import { cpuMs, percentile, pool, round } from './bench-lib';
import {
  botEnv,
  botUrl,
  dataDirFor,
  forgetRecorded,
  LOAD,
  POPULATION,
  startBuiltBot,
  turn,
  type Tenant,
} from './harness';
import type { Seats } from './population';
import { PROFILES, ServiceTimes } from './profiles';
import { COMMAND, SETTINGS } from './settings';

interface Target {
  readonly seats: Seats;
  readonly connector: FakeConnector;
  readonly graph: FakeGraph;
  readonly pid: number;
}

/**
 * `rate` turns a second for `seconds`: turn i starts at i/rate s whatever happened to earlier ones, and its
 * latency counts from then, so a bot that falls behind shows it in its latencies rather than by being offered
 * less. The answered rate counts replies between `settleS` and the end of the offer.
 */
async function offer(target: Target, rate: number, seconds: number) {
  const { settleS, goal } = SETTINGS.throughput;
  const total = rate * seconds;
  const latencies: number[] = [];
  const answeredAt: number[] = [];
  const errors: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const pending: Array<Promise<void>> = [];
  const forget = setInterval(() => forgetRecorded(target.connector, target.graph), 1000);
  const botCpu = cpuMs(target.pid);
  const ownCpu = process.cpuUsage();
  const t0 = performance.now() + 10;
  try {
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait >= 1) await new Promise((resolve) => setTimeout(resolve, wait));
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      pending.push(
        turn(target.seats, target.connector, COMMAND, LOAD.bot, due)
          .then(
            (ms) => {
              latencies.push(ms);
              answeredAt.push(performance.now());
            },
            (err: unknown) => void errors.push(err instanceof Error ? err.message : String(err)),
          )
          .finally(() => inFlight--),
      );
    }
    await Promise.all(pending);
  } finally {
    clearInterval(forget);
    forgetRecorded(target.connector, target.graph);
  }
  const wallMs = performance.now() - t0;
  const own = process.cpuUsage(ownCpu);
  const from = t0 + settleS * 1000;
  const to = t0 + seconds * 1000;
  const answeredPerS = round(answeredAt.filter((t) => t >= from && t < to).length / (seconds - settleS), 0);
  const p99Ms = round(percentile(latencies, 99), 0);
  return {
    rate,
    seconds,
    turns: total,
    answered: latencies.length,
    errors: errors.length,
    firstError: errors[0],
    answeredPerS,
    p50Ms: round(percentile(latencies, 50), 0),
    p95Ms: round(percentile(latencies, 95), 0),
    p99Ms,
    maxMs: round(Math.max(...latencies), 0),
    maxInFlight,
    /** CPU each process spent per turn, and as a share of one core over the step. */
    botCpuMsPerTurn: round((cpuMs(target.pid) - botCpu) / total, 2),
    botCores: round((cpuMs(target.pid) - botCpu) / wallMs, 2),
    harnessCpuMsPerTurn: round((own.user + own.system) / 1000 / total, 2),
    harnessCores: round((own.user + own.system) / 1000 / wallMs, 2),
    sustained:
      errors.length === 0 &&
      latencies.length === total &&
      answeredPerS >= rate * goal.answeredShare &&
      p99Ms < goal.p99Ms,
  };
}

export async function benchThroughput(tenant: Tenant) {
  const { rates, stepS, warmup } = SETTINGS.throughput;
  const times = new ServiceTimes();
  times.use(PROFILES.realistic, 0);
  const graph = await FakeGraph.start({
    entra: tenant.entra,
    seed: contosoSeed(new Date()),
    latencyMs: times.graph,
  });
  const connector = await FakeConnector.start({ latencyMs: times.connector });
  const dataDir = dataDirFor('bench-throughput-');
  const bot = await startBuiltBot(botEnv(tenant.entra, graph, dataDir));
  try {
    const target: Target = {
      seats: POPULATION.seats(botUrl(bot.port), connector.url),
      connector,
      graph,
      pid: bot.process.pid ?? 0,
    };
    await pool(warmup.turns, warmup.concurrency, async () => {
      await turn(target.seats, connector, COMMAND, LOAD.bot);
    });
    forgetRecorded(connector, graph);
    const steps = [];
    for (const rate of rates) {
      times.use(PROFILES.realistic, rate);
      const step = await offer(target, rate, stepS);
      process.stdout.write(`bench: throughput ${JSON.stringify(step)}\n`);
      steps.push(step);
      if (!step.sustained) break;
    }
    const sustained = steps.filter((s) => s.sustained).map((s) => s.rate);
    return {
      profile: PROFILES.realistic,
      command: COMMAND,
      steps,
      sustainedTurnsPerSecond: sustained.length > 0 ? Math.max(...sustained) : 0,
    };
  } finally {
    await bot.stop();
    await Promise.all([connector.close(), graph.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export type ThroughputResult = Awaited<ReturnType<typeof benchThroughput>>;
