/**
 * `npm run bench -- monitor`: the failure monitor of the built bot against a tenant the fake Graph makes up on
 * demand (issue 22): the first full delta round, then steady intervals with a few changed users each, at two
 * tenant sizes. Its memory over a day of intervals is the monitorDay section's (monitor-day.ts).
 */
import { rmSync } from 'node:fs';
import { FakeConnector, FakeGraph, type GraphUserSeed } from '../test/fakes';
import { round, withOutput } from './bench-lib';
import { botEnv, cardOf, contosoClient, dataDirFor, startBuiltBot, type Tenant } from './harness';
import { PEOPLE } from './settings';

/** What the section is asked to show, from the issue. */
export const MONITOR_SETTINGS = {
  tenants: [50_000, 500_000],
  /**
   * Users with an unresolved provisioning error: 0.1 % of the large tenant, and as many in the small one, so
   * the two runs differ only in tenant size.
   */
  failing: 500,
  /** Users per delta page: Graph does not document its page size for users delta (no $top). */
  deltaPageSize: 200,
  intervalMs: 1000,
  steadyIntervals: 20,
  changedPerInterval: 10,
  /** Pages a cycle may read; high enough that the first round is one cycle, so its time is the round's. */
  pageBudget: 5000,
  graphShare: 0.25,
} as const;

export interface MonitorRun {
  readonly users: number;
  readonly firstRound: {
    readonly requests: number;
    readonly seconds: number;
    readonly requestsPerSecond: number;
    /** Of the smallest documented directory quota, 3,500 resource units per 10 s, one unit a read. */
    readonly shareOfQuota: number;
  };
  readonly steady: {
    readonly intervals: number;
    readonly maxRequestsPerInterval: number;
    readonly medianRequestsPerInterval: number;
    /** The requests of the interval with the most. */
    readonly busiestInterval: readonly string[];
    /** From a user's new failure in the fake to its card reaching the connector. */
    readonly newFailureReportedMs: number;
  };
}

const ID_PREFIX = '40000000-0000-4000-8000-';

/** User `i` of the bench tenant; `failing` ones have an unresolved Exchange provisioning error. */
export function tenantUser(i: number, failing: boolean): GraphUserSeed {
  return {
    id: `${ID_PREFIX}${String(i).padStart(12, '0')}`,
    displayName: `Bench User ${i}`,
    userPrincipalName: `bench${i}@contoso.com`,
    serviceProvisioningErrors: failing
      ? [
          {
            createdDateTime: '2026-11-22T10:00:00Z',
            isResolved: false,
            serviceInstance: 'exchange/namprd11-001-01',
            errorDetail: `<ErrorDescription>Proxy address conflict for bench${i}.</ErrorDescription>`,
          },
        ]
      : [],
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `done` holds, checking every 50 ms; throws after `timeoutMs`. */
async function until(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`bench monitor: gave up waiting for ${what}`);
    await sleep(50);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function monitorRun(tenant: Tenant, users: number): Promise<MonitorRun> {
  const s = MONITOR_SETTINGS;
  const graph = await FakeGraph.start({ entra: tenant.entra, seed: {}, pageSize: s.deltaPageSize });
  const every = Math.floor(users / s.failing);
  graph.generateUsers({ count: users, user: (i) => tenantUser(i, i % every === 0) });
  const connector = await FakeConnector.start({});
  const dataDir = dataDirFor('bench-monitor-');
  const bot = await startBuiltBot({
    ...botEnv(tenant.entra, graph, dataDir),
    MONITOR_INTERVAL: `${s.intervalMs}ms`,
    MONITOR_PAGE_BUDGET: String(s.pageBudget),
    MONITOR_GRAPH_SHARE: String(s.graphShare),
  }).catch(async (err: unknown) => {
    // A bot that did not start leaves the fakes to close, or they would keep the bench running.
    await Promise.all([connector.close(), graph.close()]);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  try {
    const teams = contosoClient(bot.port, connector);
    const asked = await teams.message({ from: PEOPLE.reggie, text: 'subscribe user-provisioning' });
    await connector.waitFor((r) => r.kind === 'reply' && r.activityId === String(asked.activity.id), 30_000);

    const delta = () => graph.requests.filter((r) => r.path === '/users/delta');
    const pages = Math.ceil(users / s.deltaPageSize);
    await until(() => delta().length >= pages, 600_000, 'the first delta round');
    const round1 = delta().slice(0, pages);
    const seconds = ((round1.at(-1)?.at ?? 0) - (round1[0]?.at ?? 0)) / 1000;
    const firstRequests = graph.requests.filter((r) => r.at <= (round1.at(-1)?.at ?? 0)).length;
    await until(
      () => delta().some((r) => r.query['$deltatoken'] !== undefined),
      60_000,
      'the first delta link',
    );

    // Steady state: each interval changes a few users; the one in the middle of the run starts failing.
    graph.resetRecords();
    const seeded: GraphUserSeed[] = [];
    let reportedMs = Number.NaN;
    for (let k = 0; k < s.steadyIntervals; k++) {
      for (let j = 0; j < s.changedPerInterval; j++) {
        const i = 1 + (((k * s.changedPerInterval + j) * 7919) % (users - 1));
        const newlyFailing = k === Math.floor(s.steadyIntervals / 2) && j === 0;
        seeded.push({ ...tenantUser(i, newlyFailing), displayName: `Bench User ${i} (changed ${k})` });
      }
      graph.seed({ users: seeded });
      const changedAt = Date.now();
      const marker = `(changed ${k})`;
      if (k === Math.floor(s.steadyIntervals / 2)) {
        connector.requests.splice(0);
        await until(
          () =>
            connector.requests.some((r) => r.kind === 'send' && JSON.stringify(cardOf(r)).includes(marker)),
          30_000,
          'the new failure’s card',
        );
        reportedMs = Date.now() - changedAt;
      }
      const cycles = () => graph.requests.filter((r) => r.query['$deltatoken'] !== undefined).length;
      const before = cycles();
      await until(() => cycles() > before, 30_000, 'the next cycle');
    }
    // A cycle's reads go out within tens of milliseconds and cycles are an interval apart, so a gap of half
    // an interval separates two cycles (detectors start together, so their order within a cycle varies).
    const cyclesRead: string[][] = [];
    let lastAt = Number.NEGATIVE_INFINITY;
    for (const r of [...graph.requests].sort((a, b) => a.at - b.at)) {
      if (r.at - lastAt > s.intervalMs / 2) cyclesRead.push([]);
      cyclesRead.at(-1)?.push(`${r.path}${r.query['$skiptoken'] ? ' (next page)' : ''}`);
      lastAt = r.at;
    }
    const whole = cyclesRead.slice(1, -1);
    const perInterval = whole.map((c) => c.length);
    const busiestPaths = whole[perInterval.indexOf(Math.max(...perInterval))] ?? [];
    return {
      users,
      firstRound: {
        requests: firstRequests,
        seconds: round(seconds, 1),
        requestsPerSecond: round(firstRequests / Math.max(seconds, 0.001), 0),
        shareOfQuota: round(firstRequests / Math.max(seconds, 0.001) / 350, 2),
      },
      steady: {
        intervals: perInterval.length,
        maxRequestsPerInterval: Math.max(...perInterval),
        medianRequestsPerInterval: median(perInterval),
        busiestInterval: busiestPaths,
        newFailureReportedMs: round(reportedMs, 0),
      },
    };
  } catch (err) {
    throw withOutput(err, bot);
  } finally {
    await bot.stop();
    await Promise.all([connector.close(), graph.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The monitor at each tenant size of {@link MONITOR_SETTINGS}. */
export async function benchMonitor(tenant: Tenant): Promise<{ runs: MonitorRun[] }> {
  const runs: MonitorRun[] = [];
  for (const users of MONITOR_SETTINGS.tenants) runs.push(await monitorRun(tenant, users));
  return { runs };
}
