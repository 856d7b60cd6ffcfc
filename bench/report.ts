/** The benchmark's goals and its Markdown report (bench/results/latest.md). */
import path from 'node:path';
import { ROOT, round } from './bench-lib';
import type { BulkResult } from './bulk';
import type { GroupRun } from './group';
import type { StoreRoot } from './harness';
import type { LatencyResult } from './latency';
import { MONITOR_SETTINGS, type MonitorRun } from './monitor';
import { MONITOR_DAY_SETTINGS, type MonitorDayRun } from './monitor-day';
import { describePeaks, type WindowPeak } from './population';
import { PROFILES, type ServiceTime } from './profiles';
import { bundleEntry } from './project';
import { SETTINGS } from './settings';
import type { ThroughputResult } from './throughput';

export interface Results {
  bulk: { loopback: BulkResult; realistic: BulkResult };
  latency: LatencyResult;
  throughput: ThroughputResult;
  memory: {
    turns: number;
    concurrency: number;
    command: string;
    turnsPerSecond: number;
    idleRssMb: number;
    rightAfterRssMb: number;
    afterRssMb: number;
    quietS: number;
    growthMb: number;
    peakGrowthMb: number;
  };
  coldStart: { runs: number[]; medianMs: number; maxMs: number };
  monitor: { runs: MonitorRun[] };
  monitorDay: { runs: MonitorDayRun[] };
  group: { runs: GroupRun[] };
  load: {
    tenants: number;
    conversations: number;
    bot: { replies: number; conversation: WindowPeak[]; tenant: WindowPeak[] };
    echo: { replies: number; conversation: WindowPeak[]; tenant: WindowPeak[] };
    busiestShareOfLimit: number;
    withinLimits: boolean;
  };
}

export interface Meta {
  date: string;
  node: string;
  cpu: string;
  cpus: number;
  durationS: number;
  store: StoreRoot;
  /** The machine's 1-minute load average when each section began and ended. */
  machineLoad: Array<{ section: string; start: number; end: number }>;
}

export function goals(r: Results) {
  const { goal } = SETTINGS.throughput;
  const at300 = r.throughput.steps.find((s) => s.rate === goal.turnsPerSecond);
  return [
    ...r.latency.realistic.map((l) => ({
      profile: 'realistic',
      goal: `Turn p50 within 1.15× of echo + the turn's Graph reads (${l.concurrency} concurrent)`,
      value: `${l.vsBaseline}× (${l.bot.p50Ms} ms vs ${l.echo.p50Ms} + ${l.lookup.p50Ms} ms)`,
      met: l.vsBaseline <= 1.15,
    })),
    {
      profile: 'realistic',
      goal: `Sustained ≥ ${goal.turnsPerSecond} command turns/s with p99 under ${goal.p99Ms / 1000} s`,
      value: at300
        ? `${at300.answeredPerS}/s answered at ${at300.rate}/s offered, p99 ${at300.p99Ms} ms; sustained up to ${r.throughput.sustainedTurnsPerSecond}/s`
        : `not reached: sustained up to ${r.throughput.sustainedTurnsPerSecond}/s`,
      met: r.throughput.sustainedTurnsPerSecond >= goal.turnsPerSecond,
    },
    ...[r.bulk.realistic, r.bulk.loopback].map((b) => ({
      profile: b.profile,
      goal: 'Bulk within 1.2× of the throttle minimum',
      value: `${b.ratioToMinimum}×`,
      met: b.ratioToMinimum <= 1.2,
    })),
    {
      profile: 'loopback',
      goal: 'Bulk ≥ 10× faster than a sequential loop',
      value: `${r.bulk.loopback.loop?.speedup ?? 0}×`,
      met: (r.bulk.loopback.loop?.speedup ?? 0) >= 10,
    },
    ...[r.bulk.realistic, r.bulk.loopback].map((b) => ({
      profile: b.profile,
      goal: 'Bulk: zero lost, zero duplicates',
      value: `${b.lost} lost, ${b.duplicates} duplicates`,
      met: b.lost === 0 && b.duplicates === 0,
    })),
    {
      profile: 'loopback',
      goal: `RSS growth after ${r.memory.turns.toLocaleString('en-US')} turns under 50 MB (after ${r.memory.quietS} quiet s)`,
      value: `${r.memory.growthMb} MB (${r.memory.peakGrowthMb} MB right after)`,
      met: r.memory.growthMb < 50,
    },
    {
      profile: '',
      goal: 'Cold start to /healthz under 1.5 s',
      value: `${r.coldStart.maxMs} ms (max)`,
      met: r.coldStart.maxMs < 1500,
    },
    ...largeTenantGoals(r),
    {
      profile: 'both',
      goal: "Turns offered within Teams' rate limits (bot and echo)",
      value: `busiest window at ${r.load.busiestShareOfLimit}% of its limit`,
      met: r.load.withinLimits,
    },
  ];
}

/** Issue 22's goals: the monitor on a large tenant, and a large group in bulk. */
function largeTenantGoals(r: Results) {
  const m = MONITOR_SETTINGS;
  const largest = r.monitor.runs.at(-1);
  const days = r.monitorDay.runs;
  const heapAt = (run: MonitorDayRun | undefined, hour: number) =>
    run?.heap.find((h) => h.hour === hour)?.heapMb ?? Number.NaN;
  const dayEnd = days.map((d) => heapAt(d, MONITOR_DAY_SETTINGS.hours));
  const sizeSpread = round(Math.max(...dayEnd) - Math.min(...dayEnd));
  const hourGrowth = round(
    Math.max(...days.map((d) => heapAt(d, MONITOR_DAY_SETTINGS.hours) - heapAt(d, 1))),
  );
  const uncapped = r.group.runs.find((g) => g.heapCapMb === null);
  return [
    {
      profile: 'loopback',
      goal: `Monitor's first scan of ${largest?.users.toLocaleString('en-US')} users within MONITOR_GRAPH_SHARE (${m.graphShare}) of the directory quota`,
      value: `${largest?.firstRound.shareOfQuota} (${largest?.firstRound.requests.toLocaleString('en-US')} requests in ${largest?.firstRound.seconds} s)`,
      met: (largest?.firstRound.shareOfQuota ?? Number.POSITIVE_INFINITY) <= m.graphShare,
    },
    {
      profile: 'loopback',
      goal: `Monitor: at most 5 Graph requests per steady interval (${m.changedPerInterval} users changed in each)`,
      value: r.monitor.runs.map((x) => `${x.steady.maxRequestsPerInterval}`).join(' and ') + ' at most',
      met: r.monitor.runs.every((x) => x.steady.maxRequestsPerInterval <= 5),
    },
    {
      profile: 'loopback',
      goal: `Monitor: a new failure on a card by the first cycle after it (interval ${m.intervalMs / 1000} s)`,
      value: r.monitor.runs.map((x) => `${x.steady.newFailureReportedMs} ms`).join(', '),
      met: r.monitor.runs.every((x) => x.steady.newFailureReportedMs <= 2 * m.intervalMs),
    },
    {
      profile: 'loopback',
      goal: `Monitor: heap after ${MONITOR_DAY_SETTINGS.hours} simulated hours the same at ${days.map((d) => d.users.toLocaleString('en-US')).join(' and ')} users (within 5 MB), and not growing (hour 1 → ${MONITOR_DAY_SETTINGS.hours}, within 5 MB)`,
      value: `${dayEnd.join(' / ')} MB; grew at most ${hourGrowth} MB`,
      met: sizeSpread <= 5 && hourGrowth <= 5,
    },
    {
      profile: 'loopback',
      goal: `Peak RSS of a ${uncapped?.members.toLocaleString('en-US')}-member --group run under ${uncapped?.peakGoalMb} MB, no heap cap`,
      value: `${uncapped?.peakRssMb} MB`,
      met: uncapped?.met === true,
    },
  ];
}

function largeTenantSection(r: Results): string[] {
  const m = MONITOR_SETTINGS;
  const d = MONITOR_DAY_SETTINGS;
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    `## Large tenant (issue 22)`,
    '',
    `**Failure monitor** (built bot, \`MONITOR_INTERVAL\` ${m.intervalMs} ms, \`MONITOR_GRAPH_SHARE\` ${m.graphShare}, \`MONITOR_PAGE_BUDGET\` ${m.pageBudget}, ${m.deltaPageSize} users a delta page): a tenant the fake Graph makes up on demand, ${n(m.failing)} users failing at each size. The first round is paced by the bot to its share of the smallest documented directory quota (3,500 resource units per 10 s, a read costing 1); then ${m.steadyIntervals} intervals with ${m.changedPerInterval} users changed in each, one of them starting to fail in the middle one.`,
    '',
    '| users | first round: requests | seconds | share of quota | requests per steady interval (max / median) | new failure on a card |',
    '| ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.monitor.runs.map(
      (x) =>
        `| ${n(x.users)} | ${n(x.firstRound.requests)} | ${x.firstRound.seconds} | ${x.firstRound.shareOfQuota} | ${x.steady.maxRequestsPerInterval} / ${x.steady.medianRequestsPerInterval} | ${n(x.steady.newFailureReportedMs)} ms |`,
    ),
    '',
    `**A simulated day**: the bot composed as \`npm start\` composes it, on a clock the bench moves: ${d.hours * (60 / d.intervalMinutes)} intervals of ${d.intervalMinutes} minutes, ${d.changedPerInterval} users changed in each (the failing set unchanged). The V8 heap in use is read after a full collection (\`--expose-gc\`), so it is what the bot holds, not what V8 has yet to give back. RSS is shown beside it: the intervals run back to back, with none of the quiet time in which V8 returns pages it no longer uses, so it climbs with the work done, not with what is held.`,
    '',
    `| users | wall time | Graph requests per interval (max) | store files written per interval (max / median) | failures: first round / carried at the end | heap after GC, MB, at hour ${d.checkpointsH.join(' / ')} | RSS at the same hours, MB |`,
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.monitorDay.runs.map(
      (x) =>
        `| ${n(x.users)} | ${x.seconds} s | ${x.maxRequestsPerInterval} | ${x.storeWritesPerInterval.max} / ${x.storeWritesPerInterval.median} | ${x.firstRoundFailures} / ${x.openFailuresAtEnd} | ${x.heap.map((h) => h.heapMb).join(' / ')} | ${x.heap.map((h) => h.rssMb).join(' / ')} |`,
    ),
    '',
    `**A large group in bulk**: \`retry-provisioning --group\` on a group of ${n(r.group.runs[0]?.members ?? 0)} members the fake makes up on demand, every 20th failing; approve, until the summary. Peak is the kernel's high-water mark of the bot's resident set (VmHWM). Each run on a fresh tenant, store and process.`,
    '',
    '| heap cap | targets | member reads | confirmation | run (approve → summary) | RSS idle | peak at confirmation | peak |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...r.group.runs.map(
      (g) =>
        `| ${g.heapCapMb === null ? 'none' : `${g.heapCapMb} MB`} | ${n(g.targets)} | ${g.memberReads} | ${n(g.confirmationMs)} ms | ${n(g.runMs)} ms | ${g.idleRssMb} MB | ${g.peakAtConfirmationMb} MB | ${g.peakRssMb} MB |`,
    ),
  ];
}

const range = (t: ServiceTime) => (t.maxMs > t.minMs ? `${t.minMs}–${t.maxMs} ms` : `${t.minMs} ms`);

function bulkTable(b: BulkResult): string[] {
  return [
    `Fake Graph ${range(b.graph)} per request (a $batch once), connector ${range(b.connector)}; ${b.runs.length} runs, each on a fresh tenant, store and process (${b.runs.map((x) => `${x.wallMs} ms`).join(', ')}): the table shows the median, and lost and duplicates are the worst of the runs. Approve → first $batch ${b.timeline.firstBatchMs} ms, last $batch sent at ${b.timeline.lastBatchMs} ms, summary posted at ${b.timeline.summaryMs} ms.`,
    '',
    '| | wall time | vs minimum | lost | duplicates | 429s |',
    '| --- | --- | --- | --- | --- | --- |',
    `| bot (${b.batches} JSON batches) | ${b.botWallMs} ms | ${b.ratioToMinimum}× | ${b.lost} | ${b.duplicates} | ${b.throttledItems} |`,
    `| theoretical minimum: (⌈${b.users}/${b.throttle.limit}⌉ − 1) × ${b.throttle.windowMs} ms + fastest Graph answer ${b.graph.minMs} ms${b.connector.minMs > 0 ? ` + fastest connector answer ${b.connector.minMs} ms` : ''} | ${b.theoreticalMinMs} ms | 1× | | | |`,
    ...(b.loop
      ? [
          `| sequential loop, one request at a time (${b.loop.users} users timed: ${b.loop.measuredMs} ms, scaled to ${b.users}) | ${b.loop.wallMs} ms | ${round(b.loop.wallMs / b.theoreticalMinMs, 1)}× | ${b.loop.lost} | ${b.loop.duplicates} | ${b.loop.throttled} |`,
        ]
      : []),
  ];
}

export function markdown(r: Results, meta: Meta): string {
  const where = (dir: string) => (dir.startsWith(ROOT) ? path.relative(ROOT, dir) : dir);
  const real = PROFILES.realistic;
  const lat = r.latency;
  const tp = r.throughput;
  const lines = [
    `Measured ${meta.date} on ${meta.cpu} (${meta.cpus} CPUs), Node ${meta.node}, in ${meta.durationS} s.`,
    `Machine load (1-minute average, start → end of each section): ${meta.machineLoad.map((l) => `${l.section} ${l.start} → ${l.end}`).join(', ')}.`,
    `The bots' file stores were under ${where(meta.store.dir)}, the faster place to write a record on this machine (${meta.store.candidates.map((c) => `${where(c.dir)} ${c.recordUs} µs`).join(', ')} per record).`,
    '',
    '| profile | goal | result | met |',
    '| --- | --- | --- | --- |',
    ...goals(r).map((g) => `| ${g.profile} | ${g.goal} | ${g.value} | ${g.met ? 'yes' : '**no**'} |`),
    '',
    `## Realistic profile`,
    '',
    `Every request to the fake Graph waits ${range(real.graph)} and every request to the fake Bot Connector ${range(real.connector)} before it is answered, drawn uniformly from a seeded generator (the same seeds every run).`,
    '',
    `**Turn latency**: \`${lat.command}\` → confirmation card: the Graph look-up, the diagnosis of its errors (Alice's Exchange error is an address conflict, so the bot searches for the address's holder), the card rendered, the pending record written, the card sent. Measured from the POST to /api/messages until the bot has answered it and its reply has reached the connector, beside the bare botbuilder echo bot (its reply goes through the same connector and pays the same latency) and beside the turn's Graph reads replayed alone from the bench client (same URLs, the app's token, keep-alive) at the same concurrency: ${lat.graphReads}. The goal's baseline is echo p50 + reads p50: the least a turn that must ask Graph this before it answers can cost. Echo, bot and replayed reads run the same rounds, each round starting the service times from the same seed, so they draw the same delays. Same warm processes as the loopback rows below (then ${SETTINGS.latency.realisticWarmup.turns.toLocaleString('en-US')} turns each at ${SETTINGS.latency.realisticWarmup.concurrency} at a time); ${SETTINGS.latency.runs} runs with fresh processes, the run with the median ratio shown per level.`,
    '',
    '| concurrent | turns | echo p50 / p99 | Graph reads p50 / p99 | baseline p50 (echo + reads) | bot p50 / p99 | bot ÷ baseline | each run | rounds (min / median / max) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...lat.realistic.map(
      (l) =>
        `| ${l.concurrency} | ${l.turns} | ${l.echo.p50Ms} / ${l.echo.p99Ms} ms | ${l.lookup.p50Ms} / ${l.lookup.p99Ms} ms | ${l.baselineP50Ms} ms | ${l.bot.p50Ms} / ${l.bot.p99Ms} ms | ${l.vsBaseline}× | ${l.runRatios.map((x) => `${x}×`).join(', ')} | ${l.spread.min}× / ${l.spread.median}× / ${l.spread.max}× |`,
    ),
    '',
    `**Sustained load**: \`${tp.command}\` offered at a fixed rate for ${SETTINGS.throughput.stepS} s a step (open loop: each turn starts on schedule, its latency counts from then), rising until a step is not sustained (every turn answered, answered at ≥ ${SETTINGS.throughput.goal.answeredShare * 100}% of the rate offered from ${SETTINGS.throughput.settleS} s on, p99 under ${SETTINGS.throughput.goal.p99Ms / 1000} s). The built bot alone, after ${SETTINGS.throughput.warmup.turns.toLocaleString('en-US')} warm-up turns at ${SETTINGS.throughput.warmup.concurrency} at a time. CPU is what each process spent over the step: the bot, and the bench process that runs the fakes and the clients.`,
    '',
    '| offered | answered /s | p50 | p95 | p99 | max | most in flight | bot CPU per turn | bot cores | bench cores | sustained |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...tp.steps.map(
      (s) =>
        `| ${s.rate}/s | ${s.answeredPerS} | ${s.p50Ms} ms | ${s.p95Ms} ms | ${s.p99Ms} ms | ${s.maxMs} ms | ${s.maxInFlight} | ${s.botCpuMsPerTurn} ms | ${s.botCores} | ${s.harnessCores} | ${s.sustained ? 'yes' : `**no**${s.errors > 0 ? ` (${s.errors} errors: ${s.firstError ?? ''})` : ''}`} |`,
    ),
    '',
    `**Bulk**: ${r.bulk.realistic.users} users, \`retry-provisioning --group\`, approve → summary posted; throttle ${r.bulk.realistic.throttle.limit} writes per ${r.bulk.realistic.throttle.windowMs} ms window, counted per item inside batches, answered 429 with Retry-After in whole seconds past it; BULK_CONCURRENCY ${r.bulk.realistic.bulkConcurrency}.`,
    '',
    ...bulkTable(r.bulk.realistic),
    '',
    `## Loopback profile (regressions)`,
    '',
    `The fakes answer at once, so a turn costs the processes' own work only. There is no goal on the ratio to the echo bot: with nothing to wait for, it compares the bot's work per turn with the smallest there is, and is kept to catch a regression in that work.`,
    '',
    `**Turn latency**: as above, on loopback. Each bot first takes ${SETTINGS.latency.warmup.turns.toLocaleString('en-US')} turns, ${SETTINGS.latency.warmup.concurrency} at a time, so both are measured at steady state; echo and bot alternate in short rounds, the one going first switching every round, so the machine's drifts in speed land on both alike.`,
    '',
    '| concurrent | turns | echo p50 / p99 | bot p50 / p99 | bot ÷ echo | each run | rounds (min / median / max) | Graph reads p50 | bot ÷ (echo + reads) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...lat.loopback.map(
      (l) =>
        `| ${l.concurrency} | ${l.turns} | ${l.echo.p50Ms} / ${l.echo.p99Ms} ms | ${l.bot.p50Ms} / ${l.bot.p99Ms} ms | ${l.vsEcho}× | ${l.runRatios.map((x) => `${x}×`).join(', ')} | ${l.spread.min}× / ${l.spread.median}× / ${l.spread.max}× | ${l.lookup.p50Ms} ms | ${l.vsBaseline}× |`,
    ),
    '',
    `**Bulk**: as above, with Graph at a fixed ${r.bulk.loopback.graph.minMs} ms per request as in every earlier result, beside a script that loops over the users one request at a time.`,
    '',
    ...bulkTable(r.bulk.loopback),
    '',
    `**Memory** (built bot, ${r.memory.turns.toLocaleString('en-US')} turns of \`${r.memory.command}\`, ${r.memory.concurrency} at a time, ${r.memory.turnsPerSecond} turns/s): RSS ${r.memory.idleRssMb} MB idle → ${r.memory.rightAfterRssMb} MB right after the last turn (+${r.memory.peakGrowthMb} MB) → ${r.memory.afterRssMb} MB after ${r.memory.quietS} s without traffic (growth ${r.memory.growthMb} MB). Idle and after are both read after ${r.memory.quietS} quiet seconds: right after a burst RSS still holds the heap V8 grew for it, which V8's memory reducer returns once the process goes quiet.`,
    '',
    `**Cold start** (\`node ${path.relative(ROOT, bundleEntry())}\`, what \`npm start\` runs, to GET /healthz 200, ${r.coldStart.runs.length} runs): median ${r.coldStart.medianMs} ms, max ${r.coldStart.maxMs} ms (${r.coldStart.runs.join(', ')} ms).`,
    '',
    ...largeTenantSection(r),
    '',
    `## Offered load`,
    '',
    `The latency, sustained-load and memory turns go round-robin over ${r.load.conversations.toLocaleString('en-US')} channels in ${r.load.tenants} tenants (one requester each, all admitted by ALLOWED_TENANT_IDS and ADMIN_USER_IDS), and both bots get the same conversations in the same order. Teams throttles a bot per conversation and per app and tenant, and the bot holds those windows itself, so a load Teams would refuse would measure waiting. When each reply reached the connector, over the whole run: the bot's ${r.load.bot.replies.toLocaleString('en-US')} replies, busiest conversation ${describePeaks(r.load.bot.conversation)}, busiest tenant ${describePeaks(r.load.bot.tenant)}; the echo bot's ${r.load.echo.replies.toLocaleString('en-US')}, ${describePeaks(r.load.echo.conversation)}, tenant ${describePeaks(r.load.echo.tenant)}.`,
  ];
  return `${lines.join('\n')}\n`;
}
