import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleEntry } from '../../scripts/bundle';
import {
  CONTOSO,
  contosoBotEnv,
  contosoBotRegistration,
  contosoSeed,
  FakeConnector,
  FakeEntra,
  FakeGraph,
  TeamsClient,
  type ConnectorRequestRecord,
  type TeamsUser,
} from '../fakes';

/** The simulated tenant the bot processes talk to, in the test's own process. */
export interface Tenant {
  readonly entra: FakeEntra;
  readonly graph: FakeGraph;
  readonly connector: FakeConnector;
  close(): Promise<void>;
}

/** Starts Entra, Graph and the Bot Connector fakes on loopback, seeded with the Contoso tenant. */
export async function startTenant(): Promise<Tenant> {
  const entra = await FakeEntra.start({});
  entra.registerClient(contosoBotRegistration());
  const graph = await FakeGraph.start({ entra, seed: contosoSeed(new Date()) });
  const connector = await FakeConnector.start({});
  return {
    entra,
    graph,
    connector,
    close: async () => {
      await Promise.all([connector.close(), graph.close(), entra.close()]);
    },
  };
}

/** A bot running as its own OS process (`node src/index.ts`), as in production. */
export interface BotProcess {
  readonly port: number;
  readonly pid: number;
  readonly teams: TeamsClient;
  readonly logs: string[];
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves when a log line matches (lines already seen count). */
  waitForLog(pattern: RegExp): Promise<string>;
  kill(signal: NodeJS.Signals): void;
}

/** The environment a bot process needs to reach the tenant; `extra` adds or overrides keys. */
export function botEnv(tenant: Tenant, extra: Record<string, string>): Record<string, string> {
  return {
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    ...contosoBotEnv(tenant.entra.url, tenant.graph.url),
    ADMIN_USER_IDS: [CONTOSO.admins.ada, CONTOSO.admins.reggie, CONTOSO.admins.nora].join(','),
    ...extra,
  };
}

/**
 * What the process runs: the TypeScript sources (transpile-only, so start is quick), or the bundle that
 * `npm run build` writes and `npm start` runs, so the artifact operators deploy is tested too.
 */
export type BotProgram = 'sources' | 'built';

/**
 * Spawns the bot and resolves once its "bot listening" log line names the port. Callers stop it with kill();
 * every test does.
 */
export async function spawnBot(
  tenant: Tenant,
  env: Record<string, string>,
  program: BotProgram = 'sources',
): Promise<BotProcess> {
  const root = path.join(__dirname, '../..');
  const child: ChildProcess = spawn(
    process.execPath,
    program === 'built' ? [bundleEntry(root)] : ['-r', 'ts-node/register/transpile-only', 'src/index.ts'],
    {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? path.join(root, '.test-tls/cert.pem'),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const logs: string[] = [];
  const watchers: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const port = await new Promise<number>((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        for (const w of watchers.filter((x) => x.pattern.test(line))) {
          watchers.splice(watchers.indexOf(w), 1);
          w.resolve(line);
        }
        const match = /"port":(\d+).*"msg":"bot listening"/.exec(line);
        if (match) resolve(Number(match[1]));
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => logs.push(chunk.toString('utf8')));
    void exited.then((code) =>
      reject(new Error(`bot exited (${code}) before listening:\n${logs.join('\n')}`)),
    );
  });
  const teams = new TeamsClient({
    botUrl: `http://127.0.0.1:${port}`,
    serviceUrl: tenant.connector.url,
    botId: CONTOSO.botId,
    botName: 'Provisioning Fixer',
    tenantId: CONTOSO.tenantId,
  });
  const waitForLog = (pattern: RegExp) =>
    new Promise<string>((resolve) => {
      const seen = logs.find((l) => pattern.test(l));
      if (seen) resolve(seen);
      else watchers.push({ pattern, resolve });
    });
  return { port, pid: child.pid ?? 0, teams, logs, exited, waitForLog, kill: (signal) => child.kill(signal) };
}

/** Sends `text` to the bot as `from` and resolves the bot's reply to that message, as the connector got it. */
export async function ask(
  tenant: Tenant,
  bot: BotProcess,
  from: TeamsUser,
  text: string,
): Promise<ConnectorRequestRecord> {
  const sent = await bot.teams.message({ from, text });
  return tenant.connector.waitFor((r) => r.kind === 'reply' && r.activityId === String(sent.activity.id));
}

/** A Teams SSO token for a person of the simulated tenant, as Teams hands it over after a loginRequest. */
export function ssoToken(tenant: Tenant, person: { name: string; aadObjectId: string }): string {
  return tenant.entra.issueUserToken({
    tenantId: CONTOSO.tenantId,
    oid: person.aadObjectId,
    name: person.name,
    upn: `${person.name.split(' ')[0]?.toLowerCase()}@contoso.com`,
    audience: `api://botid-${CONTOSO.clientId}`,
  });
}

/** What one process test works in: a fresh tenant, a data folder, and the bot processes it started. */
export interface ProcessScene {
  readonly tenant: Tenant;
  readonly dataDir: string;
  /** Spawns a bot with `botEnv(tenant, extra)`; `end()` stops it. */
  start(extra: Record<string, string>, program?: BotProgram): Promise<BotProcess>;
  /** Kills every bot it started (SIGKILL), closes the tenant and removes the data folder. */
  end(): Promise<void>;
}

/** Starts the tenant and makes a data folder named `<prefix>…` under the system temp folder. */
export async function startScene(prefix: string): Promise<ProcessScene> {
  const tenant = await startTenant();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const bots: BotProcess[] = [];
  return {
    tenant,
    dataDir,
    start: async (extra, program) => {
      const bot = await spawnBot(tenant, botEnv(tenant, extra), program);
      bots.push(bot);
      return bot;
    },
    end: async () => {
      for (const bot of bots.splice(0)) {
        bot.kill('SIGKILL');
        await bot.exited;
      }
      await tenant.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
