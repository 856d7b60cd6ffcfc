import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DestinationStream } from 'pino';
import type { Actor } from '../../src/domain/conversation';
import { startApp, type RunningApp } from '../../src/teams/app';
import { loadConfig, type Env } from '../../src/infra/config';
import { createLogger } from '../../src/infra/logger';
import { CONTOSO, contosoBotEnv } from '../fakes';
import { REPO_ROOT, startPlayground, type Playground } from './playground';
import { startSimulatedTenant, type SimulatedTenant } from './simulated-tenant';

/** The approval policy the sandbox runs with (the Playground has one signed-in person). */
export const SANDBOX_POLICY_PATH = path.join(REPO_ROOT, 'test', 'sandbox', 'sandbox-policy.yaml');
/** `npm run sandbox -- --four-eyes`: the production default, a requester never approves their own request. */
export const SANDBOX_FOUR_EYES_POLICY_PATH = path.join(
  REPO_ROOT,
  'test',
  'sandbox',
  'sandbox-four-eyes.yaml',
);

/** The simulated people `act-as <name>` switches to, so one Playground user can play two admins. */
export const SANDBOX_PEOPLE: ReadonlyMap<string, Actor> = new Map([
  ['reggie', { id: 'sandbox:reggie', aadObjectId: CONTOSO.admins.reggie, name: 'Reggie Requester' }],
  ['nora', { id: 'sandbox:nora', aadObjectId: CONTOSO.admins.nora, name: 'Nora NoRole' }],
]);

/** Options for {@link startSandbox}. */
export interface SandboxOptions {
  /** Start the Agents Playground too (default true); tests of the bot alone can skip it. */
  readonly playground?: boolean;
  /** pino level of the bot's log (default info). */
  readonly logLevel?: string;
  /** Where the bot's JSON log goes (default stdout). */
  readonly logDestination?: DestinationStream;
  /** How the log reads on stdout: `pretty` for a person at the terminal (npm run sandbox), JSON by default. */
  readonly logFormat?: 'json' | 'pretty';
  /** Run the default four-eyes policy instead of letting Ada approve her own requests. */
  readonly fourEyes?: boolean;
  /** Extra or overriding bot settings, on top of {@link sandboxEnv}. */
  readonly env?: Env;
}

/** Everything `npm run sandbox` runs, and the browser tests drive. */
export interface Sandbox {
  readonly tenant: SimulatedTenant;
  readonly app: RunningApp;
  /** The bot's messaging endpoint on loopback. */
  readonly botEndpoint: string;
  readonly playground: Playground | undefined;
  /** Where the Playground's own log goes (diagnostics). */
  readonly playgroundLogFile: string;
  /** Stops the Playground, the bot and the simulators, and removes the sandbox's data. */
  close(): Promise<void>;
}

/**
 * The bot's embedded sandbox settings: the Contoso app registration of the simulated tenant, loopback
 * authority and Graph, local mode (no BOT_ID: the Playground sends no Bot Framework token) and
 * SANDBOX_MODE, which config validation refuses outside loopback and production.
 */
export function sandboxEnv(tenant: SimulatedTenant, dataDir: string): Env {
  return {
    NODE_ENV: 'development',
    PORT: '0',
    HOST: '127.0.0.1',
    ...contosoBotEnv(tenant.entra.url, tenant.graph.url),
    DATA_DIR: dataDir,
    ADMIN_USER_IDS: Object.values(CONTOSO.admins).join(','),
    POLICY_FILE: SANDBOX_POLICY_PATH,
    // The failure monitor scans the simulated tenant; `subscribe all` in a channel brings its cards there.
    MONITOR_INTERVAL: '30s',
    SANDBOX_MODE: 'true',
  };
}

/**
 * Starts the simulated tenant, the real bot against it, and the Agents Playground pointed at the bot.
 * Whatever started is stopped again if a later step fails.
 */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatops-sandbox-'));
  const playgroundLogFile = path.join(dataDir, 'playground.log');
  const cleanups: Array<() => Promise<void>> = [
    async () => rmSync(dataDir, { recursive: true, force: true }),
  ];
  const closeAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const tenant = await startSimulatedTenant();
    cleanups.push(() => tenant.close());
    const config = loadConfig({
      ...sandboxEnv(tenant, path.join(dataDir, 'state')),
      ...(opts.fourEyes ? { POLICY_FILE: SANDBOX_FOUR_EYES_POLICY_PATH } : {}),
      ...opts.env,
    });
    const app = await startApp(
      config,
      createLogger(opts.logLevel ?? 'info', opts.logDestination, opts.logFormat),
      { actAs: SANDBOX_PEOPLE },
    );
    cleanups.push(() => app.close());
    const botEndpoint = `http://127.0.0.1:${app.port}/api/messages`;
    let playground: Playground | undefined;
    if (opts.playground !== false) {
      playground = await startPlayground({ botEndpoint, logFile: playgroundLogFile });
      cleanups.push(() => playground!.close());
    }
    return { tenant, app, botEndpoint, playground, playgroundLogFile, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/**
 * Commands that find something to fix in the seeded tenant, one per remediation and a diagnosis that finds
 * them all for Alice, for the banner and docs.
 */
export const SANDBOX_TRY_COMMANDS = [
  'help',
  'diagnose alice@contoso.com',
  'retry-provisioning alice@contoso.com',
  'reprocess-license "Alice Smith"',
  'retry-cloudpc-policy "Frontline shift workers"',
  'reprocess-access-request --user alice@contoso.com',
  'provision-on-demand bob@contoso.com --app Salesforce',
  'subscribe all',
] as const;
