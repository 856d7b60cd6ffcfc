/**
 * Bulk remediation against Graph's throttling: 10,000 users, `retry-provisioning --group`, one approval, until
 * the summary is posted; beside the theoretical minimum the throttle allows and (on the loopback profile) a
 * script that loops over the users one request at a time.
 */
import { rmSync } from 'node:fs';
import { Agent } from 'node:https';
import os from 'node:os';
import {
  CONTOSO,
  contosoSeed,
  failingUsers,
  FakeConnector,
  FakeGraph,
  type FakeGraphOptions,
} from '../test/fakes';
import { round } from './bench-lib';
import {
  approveAsAda,
  botEnv,
  bulkSummary,
  call,
  contosoClient,
  dataDirFor,
  startBuiltBot,
  type Tenant,
} from './harness';
import { type Profile, ServiceTimes } from './profiles';
import { DEFAULT_BULK_CONCURRENCY, exchangeOnBehalfOf, graphScope, loadConfig } from './project';
import { PEOPLE, SETTINGS } from './settings';

/** The fakes' service times in `profile`: loopback keeps the fixed Graph time of every earlier result. */
function serviceTimes(profile: Profile): {
  graph: NonNullable<FakeGraphOptions['latencyMs']>;
  connector: number | (() => number);
  graphMinMs: number;
  connectorMinMs: number;
} {
  if (profile.name === 'loopback') {
    const ms = SETTINGS.bulk.loopbackGraphLatencyMs;
    return { graph: ms, connector: 0, graphMinMs: ms, connectorMinMs: 0 };
  }
  const times = new ServiceTimes();
  times.use(profile, 1);
  return {
    graph: times.graph,
    connector: times.connector,
    graphMinMs: profile.graph.minMs,
    connectorMinMs: profile.connector.minMs,
  };
}

/** A fake Graph seeded with `users` users who all have a provisioning error, members of one group. */
async function bulkGraph(tenant: Tenant, latencyMs: FakeGraphOptions['latencyMs']) {
  const now = new Date();
  const seed = contosoSeed(now);
  const bulk = failingUsers(SETTINGS.bulk.users, now);
  const graph = await FakeGraph.start({
    entra: tenant.entra,
    seed: {
      ...seed,
      users: [...(seed.users ?? []), ...bulk.users],
      groups: [...(seed.groups ?? []), bulk.group],
    },
    ...(latencyMs === undefined ? {} : { latencyMs }),
  });
  return { graph, bulk };
}

/** One bulk run by the built bot on a fresh tenant and store: `--group` command, approve, until the summary. */
async function bulkBotRun(tenant: Tenant, profile: Profile) {
  const { users, throttle } = SETTINGS.bulk;
  const times = serviceTimes(profile);
  const { graph, bulk } = await bulkGraph(tenant, times.graph);
  const connector = await FakeConnector.start({ latencyMs: times.connector });
  const dataDir = dataDirFor('bench-bulk-');
  const bot = await startBuiltBot({
    ...botEnv(tenant.entra, graph, dataDir),
    BULK_MAX_TARGETS: String(users),
  });
  try {
    const teams = contosoClient(bot.port, connector);
    const asked = await teams.message({
      from: PEOPLE.reggie,
      text: `retry-provisioning --group ${bulk.group.id}`,
    });
    const reply = await connector.waitFor(
      (r) => r.kind === 'reply' && r.activityId === String(asked.activity.id),
      60_000,
    );

    graph.resetRecords();
    graph.setThrottle(throttle);
    const startedAt = Date.now();
    const started = performance.now();
    await approveAsAda(teams, tenant, reply);
    const summary = await bulkSummary(connector, users, 120_000);
    const wallMs = performance.now() - started;
    const envelopes = graph.requests.filter((r) => r.path === '/$batch');
    const calls = bulk.ids.map((id) => graph.callCount('retryServiceProvisioning', id));
    return {
      wallMs: round(wallMs, 0),
      lost: calls.filter((c) => c === 0).length,
      duplicates: calls.filter((c) => c > 1).length,
      batches: envelopes.length,
      throttledItems: graph.requests.filter((r) => r.batchId !== undefined && r.status === 429).length,
      timeline: {
        firstBatchMs: Math.min(...envelopes.map((r) => r.at)) - startedAt,
        lastBatchMs: Math.max(...envelopes.map((r) => r.at)) - startedAt,
        summaryMs: summary.at - startedAt,
      },
    };
  } finally {
    await bot.stop();
    await Promise.all([connector.close(), graph.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The alternative: a script looping over the users one request at a time, honouring 429 + Retry-After. */
async function bulkLoopRun(tenant: Tenant) {
  const { throttle, loopbackGraphLatencyMs } = SETTINGS.bulk;
  const { graph, bulk } = await bulkGraph(tenant, loopbackGraphLatencyMs);
  try {
    graph.setThrottle(throttle);
    const config = loadConfig({ ...botEnv(tenant.entra, graph, os.tmpdir()), PORT: '0' });
    const { token } = await exchangeOnBehalfOf(
      config.aad,
      CONTOSO.tenantId,
      tenant.ssoToken(PEOPLE.ada),
      graphScope(config.graphBaseUrl),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const started = performance.now();
    let throttled = 0;
    const ids = bulk.ids.slice(0, SETTINGS.bulk.loopUsers);
    for (const id of ids) {
      for (;;) {
        const answer = await call(
          agent,
          'POST',
          `${graph.url}/v1.0/users/${id}/retryServiceProvisioning`,
          token,
        );
        if (answer.status !== 429) break;
        throttled++;
        await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter ?? '1') * 1000));
      }
    }
    const measuredMs = performance.now() - started;
    agent.destroy();
    const calls = ids.map((id) => graph.callCount('retryServiceProvisioning', id));
    return {
      users: ids.length,
      measuredMs: round(measuredMs, 0),
      wallMs: round((measuredMs * bulk.ids.length) / ids.length, 0),
      lost: calls.filter((c) => c === 0).length,
      duplicates: calls.filter((c) => c > 1).length,
      throttled,
    };
  } finally {
    await graph.close();
  }
}

/**
 * SETTINGS.bulk.runs bot runs on `profile`, the median reported. The theoretical minimum is the throttle's
 * windows plus the fastest Graph answer and the fastest connector answer (the summary must reach Teams). The
 * sequential loop runs on the loopback profile only: on the realistic one it would take 10,000 × ~80 ms and
 * say nothing the loopback figure does not.
 */
export async function benchBulk(tenant: Tenant, profile: Profile) {
  const { users, throttle, runs } = SETTINGS.bulk;
  const times = serviceTimes(profile);
  const botRuns = [];
  for (let i = 0; i < runs; i++) botRuns.push(await bulkBotRun(tenant, profile));
  const median = [...botRuns].sort((x, y) => x.wallMs - y.wallMs)[Math.floor(runs / 2)] ?? botRuns[0];
  if (!median) throw new Error('no bulk run');
  const loop = profile.name === 'loopback' ? await bulkLoopRun(tenant) : undefined;
  const theoreticalMinMs =
    (Math.ceil(users / throttle.limit) - 1) * throttle.windowMs + times.graphMinMs + times.connectorMinMs;
  return {
    profile: profile.name,
    users,
    throttle,
    graph: profile.name === 'loopback' ? { minMs: times.graphMinMs, maxMs: times.graphMinMs } : profile.graph,
    connector: profile.connector,
    bulkConcurrency: DEFAULT_BULK_CONCURRENCY,
    runs: botRuns,
    botWallMs: median.wallMs,
    theoreticalMinMs,
    ratioToMinimum: round(median.wallMs / theoreticalMinMs, 3),
    lost: Math.max(...botRuns.map((r) => r.lost)),
    duplicates: Math.max(...botRuns.map((r) => r.duplicates)),
    batches: median.batches,
    throttledItems: median.throttledItems,
    timeline: median.timeline,
    loop: loop && {
      users: loop.users,
      measuredMs: loop.measuredMs,
      wallMs: loop.wallMs,
      speedup: round(loop.wallMs / median.wallMs, 1),
      lost: loop.lost,
      duplicates: loop.duplicates,
      throttled: loop.throttled,
    },
  };
}

export type BulkResult = Awaited<ReturnType<typeof benchBulk>>;
