/**
 * Load and soak: drives the real bot (in this process, on loopback) with SOAK_ACTIVITIES activities (default
 * 50,000) across SOAK_CONVERSATIONS conversations (default 200), SOAK_CONCURRENCY in flight (default 32),
 * against the Entra, Graph and Bot Connector fakes. Bounded by SOAK_DEADLINE_S (default 600). Prints a summary
 * and writes it to bench/results/soak.json; exits 1 on any error, a missed deadline or heap growth after
 * warm-up above SOAK_MAX_HEAP_GROWTH_MB (default 32). Run with `npm run soak` (not part of npm test).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startApp } from '../src/app';
import { loadConfig } from '../src/config';
import { createLogger } from '../src/logger';
import {
  CONTOSO,
  contosoBotEnv,
  contosoBotRegistration,
  contosoSeed,
  FakeConnector,
  FakeEntra,
  FakeGraph,
  TeamsClient,
} from '../test/fakes';

const env = (key: string, fallback: number) => Number(process.env[key] ?? fallback);
const TOTAL = env('SOAK_ACTIVITIES', 50_000);
const CONVERSATIONS = env('SOAK_CONVERSATIONS', 200);
const CONCURRENCY = env('SOAK_CONCURRENCY', 32);
const DEADLINE_MS = env('SOAK_DEADLINE_S', 600) * 1000;
const MAX_GROWTH_MB = env('SOAK_MAX_HEAP_GROWTH_MB', 32);
const WARM_UP = Math.floor(TOTAL * 0.2);

const gc = (globalThis as { gc?: () => void }).gc;

function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const round = (n: number) => Math.round(n * 100) / 100;

async function main(): Promise<void> {
  const entra = await FakeEntra.start({});
  entra.registerClient(contosoBotRegistration({ roles: ['User.Read.All'] }));
  const graph = await FakeGraph.start({ entra, seed: contosoSeed(new Date()) });
  const connector = await FakeConnector.start({});
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatops-soak-'));
  let errorLines = 0;
  const firstErrors: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      errorLines++;
      if (firstErrors.length < 5) firstErrors.push(chunk.toString('utf8').slice(0, 500));
      done();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'error',
    ...contosoBotEnv(entra.url, graph.url),
    DATA_DIR: dataDir,
    ADMIN_USER_IDS: [CONTOSO.admins.ada, CONTOSO.admins.reggie].join(','),
  });
  const app = await startApp(config, createLogger('error', sink));
  const teams = new TeamsClient({
    botUrl: `http://127.0.0.1:${app.port}`,
    serviceUrl: connector.url,
    botId: CONTOSO.botId,
    botName: 'Provisioning Fixer',
    tenantId: CONTOSO.tenantId,
  });
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const reggie = { name: 'Reggie Requester', aadObjectId: CONTOSO.admins.reggie };

  /** The activity number `i`: mostly commands that look users up in Graph, some help, some card clicks. */
  function activity(i: number): Record<string, unknown> {
    const conversationId = `19:soak-${i % CONVERSATIONS}@thread.v2`;
    switch (i % 10) {
      case 0:
        return teams.buildInvoke({
          from: reggie,
          conversationId,
          replyToId: '1',
          verb: 'refresh',
          data: { rid: 'AAAAAAAAAAAAAAAAAAAAAA' },
        });
      case 1:
      case 2:
        return teams.buildMessage({
          from: reggie,
          text: 'help',
          conversationType: 'groupChat',
          conversationId,
        });
      default:
        return teams.buildMessage({
          from: reggie,
          text: i % 3 === 0 ? 'reprocess-license "Alice Smith"' : 'retry-provisioning alice@contoso.com',
          conversationType: 'groupChat',
          conversationId,
        });
    }
  }

  function post(body: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: app.port,
          path: '/api/messages',
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let failures = 0;
  let next = 0;
  let warmHeap = 0;
  const started = performance.now();
  const deadline = started + DEADLINE_MS;
  const worker = async () => {
    while (next < TOTAL && performance.now() < deadline) {
      const i = next++;
      const body = JSON.stringify(activity(i));
      const t = performance.now();
      try {
        const status = await post(body);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 300) failures++;
      } catch {
        failures++;
      }
      latencies.push(performance.now() - t);
      if (i === WARM_UP) {
        // The fakes keep every request for assertions; the soak has none to make, so they are cleared
        // here and below to measure the bot's heap, not the fakes'.
        graph.resetRecords();
        connector.requests.splice(0);
        warmHeap = heapMb();
      }
      if (i % 5000 === 0) {
        graph.resetRecords();
        connector.requests.splice(0);
        entra.requests.splice(0);
        entra.issuedTokens.splice(0);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const elapsedMs = performance.now() - started;
  await app.approvals.drain();
  graph.resetRecords();
  connector.requests.splice(0);
  entra.requests.splice(0);
  const endHeap = heapMb();
  await app.close(2000);
  agent.destroy();
  await Promise.all([connector.close(), graph.close(), entra.close()]);
  rmSync(dataDir, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  const completed = latencies.length;
  const growth = endHeap - warmHeap;
  const summary = {
    at: new Date().toISOString(),
    node: process.version,
    activities: completed,
    requested: TOTAL,
    conversations: CONVERSATIONS,
    concurrency: CONCURRENCY,
    elapsedSec: round(elapsedMs / 1000),
    throughputPerSec: round(completed / (elapsedMs / 1000)),
    latencyMs: {
      p50: round(percentile(latencies, 50)),
      p95: round(percentile(latencies, 95)),
      p99: round(percentile(latencies, 99)),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
    statuses: Object.fromEntries(statuses),
    failures,
    errorLogLines: errorLines,
    heapMb: {
      afterWarmUp: round(warmHeap),
      end: round(endHeap),
      growth: round(growth),
      gcExposed: gc !== undefined,
    },
    passed:
      completed === TOTAL &&
      failures === 0 &&
      errorLines === 0 &&
      (gc === undefined || growth <= MAX_GROWTH_MB),
  };
  const out = path.join(__dirname, '..', 'bench', 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'soak.json'), `${JSON.stringify(summary, null, 2)}\n`);
  console.log(JSON.stringify(summary, null, 2));
  if (firstErrors.length > 0) console.error(`first error log lines:\n${firstErrors.join('\n')}`);
  if (!summary.passed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
