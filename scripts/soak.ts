/**
 * Load and soak: drives the real bot (in this process, on loopback) with SOAK_ACTIVITIES activities (default
 * 50,000) round-robin over SOAK_CONVERSATIONS channels (default 1,000) in SOAK_TENANTS tenants (default 40),
 * SOAK_CONCURRENCY in flight (default 32), against the Entra, Graph and Bot Connector fakes. The bot holds
 * Teams' rate limits (per conversation 60 in 30 s and 1,800 an hour among others, per tenant 50 a second), so
 * the load is spread until none of them binds: at about 750 activities a second that is under a message a
 * second per channel and about 20 a second per tenant (bench/population.ts). Bounded by SOAK_DEADLINE_S (default 600). Prints
 * a summary and writes it to bench/results/soak.json; exits 1 on any error, a missed deadline, a load beyond
 * Teams' windows or heap growth after warm-up above SOAK_MAX_HEAP_GROWTH_MB (default 32). Run with
 * `npm run soak` (not part of npm test).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startApp } from '../src/teams/app';
import { loadConfig } from '../src/infra/config';
import { createLogger } from '../src/infra/logger';
import { LoadPeaks, Population } from '../bench/population';
import {
  contosoBotEnv,
  contosoBotRegistration,
  contosoSeed,
  FakeConnector,
  FakeEntra,
  FakeGraph,
} from '../test/fakes';

const env = (key: string, fallback: number) => Number(process.env[key] ?? fallback);
const TOTAL = env('SOAK_ACTIVITIES', 50_000);
const CONVERSATIONS = env('SOAK_CONVERSATIONS', 1000);
const TENANTS = env('SOAK_TENANTS', 40);
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
  const population = new Population({ tenants: TENANTS, conversations: CONVERSATIONS });
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
    ...population.botEnv(),
  });
  const app = await startApp(config, createLogger('error', sink));
  const seats = population.seats(`http://127.0.0.1:${app.port}`, connector.url);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const load = new LoadPeaks();

  /** Notes when each message the bot sent reached the connector, before the connector's log is emptied. */
  function noteSent(): void {
    for (const r of connector.sent()) {
      const seat = r.conversationId === undefined ? undefined : seats.of(r.conversationId);
      if (seat) load.note(seat, r.at);
    }
  }

  /**
   * The activity number `i`, in the next channel: mostly commands that look users up in Graph, some help, some
   * card clicks.
   */
  function activity(i: number): Record<string, unknown> {
    const { client, from } = seats.next();
    switch (i % 10) {
      case 0:
        return client.buildInvoke({
          from,
          conversationId: client.channelConversationId('1'),
          replyToId: '1',
          verb: 'refresh',
          data: { rid: 'AAAAAAAAAAAAAAAAAAAAAA' },
        });
      case 1:
      case 2:
        return client.buildMessage({ from, text: 'help' });
      default:
        return client.buildMessage({
          from,
          text: i % 3 === 0 ? 'reprocess-license "Alice Smith"' : 'retry-provisioning alice@contoso.com',
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
        noteSent();
        connector.requests.splice(0);
        warmHeap = heapMb();
      }
      if (i % 5000 === 0) {
        graph.resetRecords();
        noteSent();
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
  noteSent();
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
  const teamsLimits = load.report();
  const summary = {
    at: new Date().toISOString(),
    node: process.version,
    activities: completed,
    requested: TOTAL,
    conversations: CONVERSATIONS,
    tenants: TENANTS,
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
    messagesSent: load.messages,
    busiest: { conversation: teamsLimits.conversation, tenant: teamsLimits.tenant },
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
      teamsLimits.withinLimits &&
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
