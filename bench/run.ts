/**
 * `npm run bench`: measures, in one run on this machine, turn latency beside a bare echo bot, sustained load,
 * bulk remediation against Graph's throttling, memory after 10,000 turns and cold start of the built bot, on two
 * profiles (bench/profiles.ts): realistic, where the fake Graph and Bot Connector take as long as the real
 * services, and loopback, where they answer at once. Everything runs on loopback against the fakes the tests
 * use; every process and server it starts is stopped at the end. Writes bench/results/latest.json and
 * bench/results/latest.md; `npm run bench -- <section>…` runs some sections and only prints.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { spawn } from 'node:child_process';
import path from 'node:path';
import {
  CONTOSO,
  contosoBotRegistration,
  contosoSeed,
  FakeConnector,
  FakeEntra,
  FakeGraph,
} from '../test/fakes';
import { freePort, percentile, pool, quietRssMb, ROOT, round, rssMb, waitHealthy } from './bench-lib';
import { benchBulk } from './bulk';
import { benchGroup } from './group';
import {
  botEnv,
  botUrl,
  dataDirFor,
  forgetRecorded,
  LOAD,
  POPULATION,
  startBuiltBot,
  storeRoot,
  turn,
  type Tenant,
} from './harness';
import { benchLatency } from './latency';
import { benchMonitor } from './monitor';
import { benchMonitorDay } from './monitor-day';
import { PROFILES } from './profiles';
import { bundleEntry } from './project';
import { goals, markdown, type Meta, type Results } from './report';
import { COMMAND, SETTINGS } from './settings';
import { benchThroughput } from './throughput';

// ---------------------------------------------------------------------------------------------------------------
// Memory

async function benchMemory(tenant: Tenant): Promise<Results['memory']> {
  const graph = await FakeGraph.start({ entra: tenant.entra, seed: contosoSeed(new Date()) });
  const connector = await FakeConnector.start({});
  const dataDir = dataDirFor('bench-memory-');
  const bot = await startBuiltBot(botEnv(tenant.entra, graph, dataDir));
  try {
    const pid = bot.process.pid ?? 0;
    const idle = await quietRssMb(pid, SETTINGS.memory.quietS);
    const seats = POPULATION.seats(botUrl(bot.port), connector.url);
    const { turns, concurrency } = SETTINGS.memory;
    const started = performance.now();
    await pool(turns, concurrency, async () => void (await turn(seats, connector, COMMAND, LOAD.bot)));
    const seconds = (performance.now() - started) / 1000;
    forgetRecorded(connector, graph);
    const rightAfterMb = rssMb(pid);
    const after = await quietRssMb(pid, SETTINGS.memory.quietS);
    return {
      turns,
      concurrency,
      command: COMMAND,
      turnsPerSecond: round(turns / seconds, 0),
      idleRssMb: round(idle.rssMb),
      rightAfterRssMb: round(rightAfterMb),
      afterRssMb: round(after.rssMb),
      quietS: SETTINGS.memory.quietS,
      growthMb: round(after.rssMb - idle.rssMb),
      peakGrowthMb: round(rightAfterMb - idle.rssMb),
    };
  } finally {
    await bot.stop();
    await Promise.all([connector.close(), graph.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cold start of the built bot (npm start's bundle) to GET /healthz 200

async function benchColdStart(tenant: Tenant): Promise<Results['coldStart']> {
  const graph = await FakeGraph.start({ entra: tenant.entra, seed: contosoSeed(new Date()) });
  const runs: number[] = [];
  try {
    for (let i = 0; i < SETTINGS.coldStart.runs; i++) {
      const dataDir = dataDirFor('bench-start-');
      const port = await freePort();
      const started = performance.now();
      const child = spawn(process.execPath, [bundleEntry()], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_EXTRA_CA_CERTS: path.join(ROOT, '.test-tls/cert.pem'),
          ...botEnv(tenant.entra, graph, dataDir),
          PORT: String(port),
        },
        stdio: 'ignore',
      });
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        await waitHealthy(port, 20_000, () => child.exitCode !== null);
        runs.push(round(performance.now() - started, 0));
      } finally {
        child.kill('SIGTERM');
        await exited;
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await graph.close();
  }
  return { runs, medianMs: percentile(runs, 50), maxMs: Math.max(...runs) };
}

// ---------------------------------------------------------------------------------------------------------------

/** The busiest conversation and tenant of each bot over the whole run, against Teams' windows. */
function loadReport(): Results['load'] {
  const { tenants, conversations } = SETTINGS.population;
  const bot = LOAD.bot.report();
  const echo = LOAD.echo.report();
  const all = [bot, echo].flatMap((r) => [...r.conversation, ...r.tenant]);
  const busiest = Math.max(...all.map((p) => p.peak / p.limit));
  return {
    tenants,
    conversations,
    bot: { replies: LOAD.bot.messages, ...bot },
    echo: { replies: LOAD.echo.messages, ...echo },
    busiestShareOfLimit: round(busiest * 100, 0),
    withinLimits: bot.withinLimits && echo.withinLimits,
  };
}

function startTenant(entra: FakeEntra): Tenant {
  entra.registerClient(contosoBotRegistration({ roles: ['User.Read.All'] }));
  return {
    entra,
    ssoToken: (person) =>
      entra.issueUserToken({
        tenantId: CONTOSO.tenantId,
        oid: person.aadObjectId,
        name: person.name,
        upn: `${person.name.split(' ')[0]?.toLowerCase()}@contoso.com`,
        audience: `api://botid-${CONTOSO.clientId}`,
      }),
  };
}

async function main(): Promise<void> {
  if (!existsSync(bundleEntry())) {
    throw new Error(`${bundleEntry()} is missing: run \`npm run build\` first (npm run bench does).`);
  }
  const wall = performance.now();
  const entra = await FakeEntra.start({});
  const tenant = startTenant(entra);
  const machineLoad: Meta['machineLoad'] = [];
  const load1 = () => round(os.loadavg()[0] ?? Number.NaN, 2);
  try {
    const step = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      process.stdout.write(`bench: ${name} (load ${load1()})…\n`);
      const start = load1();
      const value = await run();
      machineLoad.push({ section: name, start, end: load1() });
      process.stdout.write(`bench: ${name} ${JSON.stringify(value)}\n`);
      return value;
    };
    const sections = {
      latency: () => benchLatency(tenant),
      throughput: () => benchThroughput(tenant),
      bulk: async () => ({
        realistic: await benchBulk(tenant, PROFILES.realistic),
        loopback: await benchBulk(tenant, PROFILES.loopback),
      }),
      memory: () => benchMemory(tenant),
      coldStart: () => benchColdStart(tenant),
      monitor: () => benchMonitor(tenant),
      monitorDay: () => benchMonitorDay(tenant),
      group: () => benchGroup(tenant),
    };
    const chosen = process.argv.slice(2);
    const unknown = chosen.filter((name) => !(name in sections));
    if (unknown.length > 0) {
      throw new Error(
        `Unknown section ${unknown.join(', ')}: choose from ${Object.keys(sections).join(', ')}.`,
      );
    }
    if (chosen.length > 0) {
      // A partial run is for working on one goal: it prints, and leaves the published results alone.
      for (const name of chosen) await step<unknown>(name, sections[name as keyof typeof sections]);
      process.stdout.write(`bench: load ${JSON.stringify(loadReport())}\n`);
      return;
    }
    const results: Results = {
      latency: await step('latency', sections.latency),
      throughput: await step('throughput', sections.throughput),
      bulk: await step('bulk', sections.bulk),
      memory: await step('memory', sections.memory),
      coldStart: await step('cold start', sections.coldStart),
      monitor: await step('monitor', sections.monitor),
      monitorDay: await step('monitor day', sections.monitorDay),
      group: await step('group', sections.group),
      load: loadReport(),
    };
    const meta: Meta = {
      date: new Date().toISOString(),
      node: process.version,
      cpu: os.cpus()[0]?.model ?? 'unknown CPU',
      cpus: os.cpus().length,
      durationS: round((performance.now() - wall) / 1000, 0),
      store: storeRoot(),
      machineLoad,
    };
    const dir = path.join(ROOT, 'bench/results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'latest.json'),
      `${JSON.stringify({ meta, settings: SETTINGS, profiles: PROFILES, results, goals: goals(results) }, null, 2)}\n`,
    );
    writeFileSync(path.join(dir, 'latest.md'), markdown(results, meta));
    process.stdout.write(markdown(results, meta));
  } finally {
    await entra.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
