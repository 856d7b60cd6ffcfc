/**
 * `npm run bench -- monitor-day`: the failure monitor through 24 simulated hours of five-minute intervals
 * (issue 22), at two tenant sizes with the same failing users. The bot runs in a child process composed as the
 * built bot is ({@link ./monitor-day-child.ts}, bundled the way `npm run build` bundles the bot) on a clock the
 * bench moves: each interval the bench changes a few users in the fake Graph, then tells the child to move its
 * clock one interval on and run its repeating tasks. The V8 heap after a full collection is read at a few points
 * of the day, so what the bot holds is measured rather than what V8 has not yet given back.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { FakeConnector, FakeGraph } from '../test/fakes';
import { freePort, ROOT, round, startChild, withOutput, type Child } from './bench-lib';
import type { DayAnswer, DayRequest } from './monitor-day-child';
import { botEnv, contosoClient, dataDirFor, type Tenant } from './harness';
import { MONITOR_SETTINGS, tenantUser } from './monitor';
import { PEOPLE } from './settings';

/** What the section is asked to show, from the issue. */
export const MONITOR_DAY_SETTINGS = {
  tenants: MONITOR_SETTINGS.tenants,
  failing: MONITOR_SETTINGS.failing,
  deltaPageSize: MONITOR_SETTINGS.deltaPageSize,
  intervalMinutes: 5,
  hours: 24,
  changedPerInterval: 10,
  /** Users the changes are drawn from, in turn. */
  changingPool: 200,
  /** Hours of the day after which the heap is read (0: after the first round). */
  checkpointsH: [0, 1, 6, 12, 24],
} as const;

export interface MonitorDayRun {
  readonly users: number;
  readonly intervals: number;
  /** Wall time of the simulated day, first round included. */
  readonly seconds: number;
  readonly maxRequestsPerInterval: number;
  /** Files of the bot's store written in an interval (records and logs), at most and at the median. */
  readonly storeWritesPerInterval: { readonly max: number; readonly median: number };
  /** Failures the first round found, and the open ones the last interval handed on: the same failing set. */
  readonly firstRoundFailures: number;
  readonly openFailuresAtEnd: number;
  /** Heap in use after a full collection, and the resident set, at each checkpoint hour. */
  readonly heap: ReadonlyArray<{ readonly hour: number; readonly heapMb: number; readonly rssMb: number }>;
}

/** Bundles the child's own code (the project's modules) into one file, as scripts/bundle.ts does for the bot. */
async function bundleChild(): Promise<string> {
  // Beside the built bot, so the packages it leaves out resolve from the project's node_modules.
  const outfile = path.join(ROOT, 'dist/bench/monitor-day-child.js');
  await build({
    entryPoints: [path.join(ROOT, 'bench/monitor-day-child.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // Packages load from node_modules through their "require" conditions, as in the built bot (a bundled
    // TypeScript import would take their ESM builds).
    packages: 'external',
    logLevel: 'warning',
  });
  return outfile;
}

/** Files under `dir` last written at or after `sinceMs`. */
function writtenSince(dir: string, sinceMs: number): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && statSync(path.join(e.parentPath, e.name)).mtimeMs >= sinceMs) n++;
  }
  return n;
}

/** Sends one request to the child and waits for its answer. */
function ask<T extends DayAnswer['op']>(
  child: ChildProcess,
  request: DayRequest & { op: T },
): Promise<Extract<DayAnswer, { op: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: DayAnswer) => {
      if (m.op !== request.op) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m as Extract<DayAnswer, { op: T }>);
    };
    const onExit = () => reject(new Error('bench monitor-day: the bot exited'));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send(request);
  });
}

async function dayRun(tenant: Tenant, entry: string, users: number): Promise<MonitorDayRun> {
  const s = MONITOR_DAY_SETTINGS;
  const graph = await FakeGraph.start({ entra: tenant.entra, seed: {}, pageSize: s.deltaPageSize });
  const every = Math.floor(users / s.failing);
  const failing = (i: number) => i % every === 0;
  graph.generateUsers({ count: users, user: (i) => tenantUser(i, failing(i)) });
  const connector = await FakeConnector.start({});
  const dataDir = dataDirFor('bench-monitor-day-');
  const closeFakes = async () => {
    await Promise.all([connector.close(), graph.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  };
  let bot: Child;
  try {
    bot = await startChild(
      ['--expose-gc', entry],
      {
        ...botEnv(tenant.entra, graph, dataDir),
        MONITOR_INTERVAL: `${s.intervalMinutes}m`,
        MONITOR_PAGE_BUDGET: String(MONITOR_SETTINGS.pageBudget),
        MONITOR_GRAPH_SHARE: String(MONITOR_SETTINGS.graphShare),
      },
      await freePort(),
      { ipc: true },
    );
  } catch (err) {
    await closeFakes();
    throw err;
  }
  try {
    const teams = contosoClient(bot.port, connector);
    const asked = await teams.message({ from: PEOPLE.reggie, text: 'subscribe user-provisioning' });
    await connector.waitFor((r) => r.kind === 'reply' && r.activityId === String(asked.activity.id), 30_000);
    const started = performance.now();
    const first = await ask(bot.process, { op: 'cycle' });
    if (first.behind) throw new Error('bench monitor-day: the first round did not finish in one cycle');
    const heap: Array<{ hour: number; heapMb: number; rssMb: number }> = [];
    const reading = async (hour: number) => {
      const h = await ask(bot.process, { op: 'heap' });
      heap.push({ hour, heapMb: round(h.heapMb), rssMb: round(h.rssMb) });
    };
    await reading(0);
    const perHour = 60 / s.intervalMinutes;
    const seeded = new Map<number, ReturnType<typeof tenantUser>>();
    let maxRequests = 0;
    const writes: number[] = [];
    let last = first;
    for (let k = 0; k < s.hours * perHour; k++) {
      // Changed users keep whether they fail, so the failing set is the same all day; they come from a pool,
      // so the fake's own record of the seeded users stays small.
      for (let j = 0; j < s.changedPerInterval; j++) {
        const i = 1 + ((((k * s.changedPerInterval + j) % s.changingPool) * 7919) % (users - 1));
        seeded.set(i, { ...tenantUser(i, failing(i)), displayName: `Bench User ${i} (changed ${k})` });
      }
      graph.seed({ users: [...seeded.values()] });
      graph.resetRecords();
      connector.requests.splice(0);
      const cycleStarted = Date.now();
      last = await ask(bot.process, { op: 'cycle' });
      maxRequests = Math.max(maxRequests, graph.requests.length);
      writes.push(writtenSince(dataDir, cycleStarted));
      const hour = (k + 1) / perHour;
      if ((s.checkpointsH as readonly number[]).includes(hour)) await reading(hour);
    }
    return {
      users,
      intervals: s.hours * perHour,
      seconds: round((performance.now() - started) / 1000, 0),
      maxRequestsPerInterval: maxRequests,
      storeWritesPerInterval: {
        max: Math.max(...writes),
        median: [...writes].sort((a, b) => a - b)[Math.floor(writes.length / 2)] ?? 0,
      },
      firstRoundFailures: first.detected,
      openFailuresAtEnd: last.open,
      heap,
    };
  } catch (err) {
    throw withOutput(err, bot);
  } finally {
    await bot.stop();
    await closeFakes();
  }
}

/** The simulated day at each tenant size of {@link MONITOR_DAY_SETTINGS}. */
export async function benchMonitorDay(tenant: Tenant): Promise<{ runs: MonitorDayRun[] }> {
  const entry = await bundleChild();
  const runs: MonitorDayRun[] = [];
  for (const users of MONITOR_DAY_SETTINGS.tenants) runs.push(await dayRun(tenant, entry, users));
  return { runs };
}
