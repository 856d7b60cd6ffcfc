/**
 * What every section of the benchmark shares: the tenant and its people, where the bots' stores live, starting
 * the built bot and the echo bot, and one turn as Teams takes it (post the message, wait for the reply to reach
 * the Bot Connector).
 */
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { type Agent, request as httpsRequest } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import {
  CONTOSO,
  contosoBotEnv,
  TeamsClient,
  type ConnectorRequestRecord,
  type FakeConnector,
  type FakeEntra,
  type FakeGraph,
} from '../test/fakes';
import { freePort, percentile, ROOT, round, startChild, type Child } from './bench-lib';
import { LoadPeaks, Population, type Seats } from './population';
import { bundleEntry } from './project';
import { PEOPLE, SETTINGS } from './settings';

/** The fake Entra tenant every section uses, and SSO tokens for its people. */
export interface Tenant {
  readonly entra: FakeEntra;
  ssoToken(person: { name: string; aadObjectId: string }): string;
}

export const POPULATION = new Population(SETTINGS.population);

/** Every reply each bot sent over the whole run, to show that no Teams window came near its limit. */
export const LOAD = { bot: new LoadPeaks(), echo: new LoadPeaks() };

/** Where the bots' stores live, and what writing a record costs there; chosen once per run. */
export interface StoreRoot {
  readonly dir: string;
  /** Microseconds per record written the way the file store writes one (a new file, then a rename). */
  readonly recordUs: number;
  readonly candidates: ReadonlyArray<{ dir: string; recordUs: number }>;
}

let chosenRoot: StoreRoot | undefined;

/** What writing one record (temporary file, rename) costs under `root`, median of 5 runs of 40 records. */
function recordWriteUs(root: string): number {
  mkdirSync(root, { recursive: true });
  const dir = mkdtempSync(path.join(root, 'probe-'));
  const text = 'x'.repeat(2048);
  try {
    const runs: number[] = [];
    for (let run = 0; run < 5; run++) {
      const started = performance.now();
      for (let i = 0; i < 40; i++) {
        const file = path.join(dir, `${run}-${i}.json`);
        writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
        renameSync(`${file}.tmp`, file);
      }
      runs.push(((performance.now() - started) * 1000) / 40);
    }
    return round(percentile(runs, 50), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The bots' stores go to whichever of the project's .data/ and the system temp folder writes a record faster
 * on this machine: on the VMs these numbers come from, creating a file has cost ten times more in one
 * directory tree than another on the same volume, and the store writes a record per command.
 */
export function storeRoot(): StoreRoot {
  if (!chosenRoot) {
    const candidates = [path.join(ROOT, '.data', 'bench'), path.join(os.tmpdir(), 'chatops-bench')].map(
      (dir) => ({ dir, recordUs: recordWriteUs(dir) }),
    );
    const best = candidates.reduce((a, b) => (b.recordUs < a.recordUs ? b : a));
    chosenRoot = { ...best, candidates };
  }
  return chosenRoot;
}

export function dataDirFor(prefix: string): string {
  return mkdtempSync(path.join(storeRoot().dir, prefix));
}

/** The built bot's environment: Contoso's app registration, the fakes, every bench tenant admitted. */
export function botEnv(entra: FakeEntra, graph: FakeGraph, dataDir: string): Record<string, string> {
  return {
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...contosoBotEnv(entra.url, graph.url),
    DATA_DIR: dataDir,
    ...POPULATION.botEnv(),
  };
}

export function botUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** The bulk section's one conversation: a thread in Contoso's default channel. */
export function contosoClient(port: number, connector: FakeConnector): TeamsClient {
  return new TeamsClient({
    botUrl: botUrl(port),
    serviceUrl: connector.url,
    botId: CONTOSO.botId,
    botName: 'Provisioning Fixer',
    tenantId: CONTOSO.tenantId,
  });
}

/** The bot as `npm start` runs it. */
export async function startBuiltBot(env: Record<string, string>): Promise<Child> {
  return startChild([bundleEntry()], env, await freePort());
}

/** The bare botbuilder echo bot (bench/echo-bot.ts). */
export async function startEchoBot(): Promise<Child> {
  return startChild(
    ['-r', 'ts-node/register/transpile-only', path.join(ROOT, 'bench/echo-bot.ts')],
    {},
    await freePort(),
  );
}

/**
 * One turn in the next conversation: post the message and wait until the bot has answered the POST and its
 * reply has reached the connector; resolves the milliseconds since `since` (default: when the turn began), and
 * notes when the reply arrived in `load`. The wait for the reply is registered before the post, so the
 * connector's log may be emptied at any time (see {@link forgetRecorded}).
 */
export async function turn(
  seats: Seats,
  connector: FakeConnector,
  text: string,
  load: LoadPeaks,
  since?: number,
): Promise<number> {
  const started = since ?? performance.now();
  const seat = seats.next();
  const activity = seat.client.buildMessage({ from: seat.from, text });
  const id = String(activity['id']);
  const replied = connector.waitFor((r) => r.kind === 'reply' && r.activityId === id, 30_000);
  const res = await seat.client.raw(activity);
  if (res.status !== 200) {
    replied.catch(() => undefined);
    throw new Error(`the bot answered ${res.status}`);
  }
  const reply = await replied;
  const ms = performance.now() - started;
  load.note(seat, reply.at);
  return ms;
}

/**
 * Empties the fake connector's log (and the fake Graph's, when given): each turn's wait first scans the
 * connector's, and logs that grow over the run would add bench-process work late in the run that early rounds
 * did not pay.
 */
export function forgetRecorded(connector: FakeConnector, graph?: FakeGraph): void {
  connector.requests.splice(0);
  graph?.resetRecords();
}

export function cardOf(record: ConnectorRequestRecord): Record<string, unknown> {
  const body = record.body as { attachments?: Array<{ content?: Record<string, unknown> }> };
  return body.attachments?.[0]?.content ?? {};
}

/**
 * Ada clicks Approve on the confirmation card the bot posted as `reply`, as Teams sends the click; throws
 * unless the bot took it.
 */
export async function approveAsAda(teams: TeamsClient, tenant: Tenant, reply: ConnectorRequestRecord) {
  const card = JSON.stringify(cardOf(reply));
  const rid = /"rid":"([A-Za-z0-9_-]{22})"/.exec(card)?.[1];
  if (!rid) throw new Error(`no confirmation card: ${card.slice(0, 500)}`);
  const approved = await teams.invoke({
    from: PEOPLE.ada,
    conversationId: String(reply.conversationId),
    replyToId: String(reply.newId),
    verb: 'approve',
    data: { rid },
    token: tenant.ssoToken(PEOPLE.ada),
  });
  if (approved.status !== 200) throw new Error(`approve answered ${approved.status}`);
}

/**
 * A bulk run's end as the bench waits for it: its card turned into the summary in place, every one of
 * `targets` accepted by Microsoft Graph (the thread's one-line reply follows).
 */
export function bulkSummary(
  connector: FakeConnector,
  targets: number,
  timeoutMs: number,
): Promise<ConnectorRequestRecord> {
  const accepted = `of ${targets.toLocaleString('en-US')} accepted by Microsoft Graph`;
  return connector.waitFor(
    (r) => r.kind === 'update' && JSON.stringify(r.body).includes(accepted),
    timeoutMs,
  );
}

/** One Graph request with a bearer token over `agent`; resolves the status and any Retry-After. */
export function call(
  agent: Agent,
  method: 'GET' | 'POST',
  url: string,
  token: string,
): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const headers = {
      authorization: `Bearer ${token}`,
      ...(method === 'POST' ? { 'content-length': '0' } : {}),
    };
    const req = httpsRequest(url, { method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        const retryAfter = res.headers['retry-after'];
        resolve({ status: res.statusCode ?? 0, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
