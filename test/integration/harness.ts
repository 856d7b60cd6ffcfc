import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { startApp, type RunningApp } from '../../src/teams/app';
import { loadConfig, type Env } from '../../src/infra/config';
import { createLogger } from '../../src/infra/logger';
import type { Actor } from '../../src/domain/conversation';
import {
  CONTOSO,
  contosoBotEnv,
  contosoBotRegistration,
  contosoSeed,
  FakeBotFramework,
  FakeConnector,
  FakeEntra,
  FakeGraph,
  FakeTokenService,
  ManualClock,
  TeamsClient,
  type TeamsUser,
} from '../fakes';

/** People in the simulated tenant as Teams shows them. */
export const PEOPLE = {
  ada: { name: 'Ada Admin', aadObjectId: CONTOSO.admins.ada },
  reggie: { name: 'Reggie Requester', aadObjectId: CONTOSO.admins.reggie },
  nora: { name: 'Nora NoRole', aadObjectId: CONTOSO.admins.nora },
} satisfies Record<string, TeamsUser>;

/** A running bot wired to loopback fakes of Entra, Graph and the Bot Connector. */
export interface Harness {
  readonly app: RunningApp;
  readonly entra: FakeEntra;
  readonly graph: FakeGraph;
  readonly connector: FakeConnector;
  readonly teams: TeamsClient;
  /**
   * The bot's clock and the fakes': sleeps (pacing, Retry-After, backoff) end at once and move it on, and are
   * recorded in `clock.sleeps`; the monitor's interval runs on `clock.fire()`.
   */
  readonly clock: ManualClock;
  readonly logs: string[];
  /** With `botFramework`: the channel's keys (every post carries a channel token) and the token service. */
  readonly botFramework:
    { readonly channel: FakeBotFramework; readonly tokens: FakeTokenService } | undefined;
  /** A Teams SSO token for a person, as Teams hands it over after a loginRequest. */
  ssoToken(
    person: TeamsUser,
    overrides?: {
      audience?: string;
      tenantId?: string;
      signWith?: 'fake' | 'foreign';
      expiresInSec?: number;
    },
  ): string;
  /** Stops the bot and starts a new one on the same DATA_DIR and fakes (a redeploy). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Extra knobs for some suites. */
export interface HarnessOptions {
  /** Graph page size, so listings come in several pages linked by @odata.nextLink. */
  readonly graphPageSize?: number;
  /**
   * Run as deployed (BOT_ID set) rather than in local mode: inbound channel tokens checked against a fake
   * Bot Framework, the bot's own app registered in Entra, and the Azure Bot's OAuth connection on a fake
   * token service ({@link BOT_CONNECTION}).
   */
  readonly botFramework?: boolean;
  /** The sandbox's simulated people for `act-as` (AppOverrides.actAs). */
  readonly actAs?: ReadonlyMap<string, Actor>;
}

/** The OAuth connection of the Azure Bot when the harness runs with `botFramework`. */
export const BOT_CONNECTION = 'approver-sign-in';
const BOT_SECRET = 'bot-secret-for-the-harness';

/** A Bot Framework side for a deployed-mode bot: channel keys, the bot's app in Entra, the token service. */
async function startBotFramework(entra: FakeEntra) {
  entra.registerClient({ clientId: CONTOSO.botId, clientSecret: BOT_SECRET, tenantId: CONTOSO.tenantId });
  const channel = await FakeBotFramework.start();
  const tokens = await FakeTokenService.start({
    entra,
    botId: CONTOSO.botId,
    connectionName: BOT_CONNECTION,
    tokenExchangeUrl: `api://botid-${CONTOSO.clientId}`,
  });
  const env = {
    BOT_ID: CONTOSO.botId,
    BOT_PASSWORD: BOT_SECRET,
    BOT_TYPE: 'SingleTenant',
    BOT_TENANT_ID: CONTOSO.tenantId,
    BOT_OPENID_METADATA_URL: channel.metadataUrl,
    BOT_OAUTH_URL: tokens.url,
    OAUTH_CONNECTION_NAME: BOT_CONNECTION,
    AAD_APP_ID_URI: `api://botid-${CONTOSO.clientId}`,
  };
  return { channel, tokens, env };
}

/** Starts fakes and the real bot (in local mode: inbound Bot Framework auth off) on random loopback ports. */
export async function startHarness(env: Env = {}, options: HarnessOptions = {}): Promise<Harness> {
  const clock = new ManualClock(Date.parse('2026-11-22T12:00:00Z'));
  const entra = await FakeEntra.start({ now: clock.now });
  entra.registerClient(contosoBotRegistration({ roles: ['User.Read.All'] }));
  const graph = await FakeGraph.start({
    entra,
    seed: contosoSeed(new Date(clock.now())),
    ...(options.graphPageSize ? { pageSize: options.graphPageSize } : {}),
  });
  const connector = await FakeConnector.start({});
  const botFramework = options.botFramework ? await startBotFramework(entra) : undefined;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'chatops-it-'));
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
    ...contosoBotEnv(entra.url, graph.url),
    DATA_DIR: dataDir,
    ADMIN_USER_IDS: [CONTOSO.admins.ada, CONTOSO.admins.reggie, CONTOSO.admins.nora].join(','),
    ...botFramework?.env,
    ...env,
  });
  const logger = createLogger('debug', sink);
  const launch = () =>
    startApp(config, logger, { clock, ...(options.actAs ? { actAs: options.actAs } : {}) });
  const clientFor = (port: number) =>
    new TeamsClient({
      botUrl: `http://127.0.0.1:${port}`,
      serviceUrl: connector.url,
      botId: CONTOSO.botId,
      botName: 'Provisioning Fixer',
      tenantId: CONTOSO.tenantId,
      now: clock.now,
      ...(botFramework
        ? {
            authorization: () =>
              `Bearer ${botFramework.channel.issueChannelToken({ audience: CONTOSO.botId, serviceUrl: connector.url })}`,
          }
        : {}),
    });
  const closeBotFramework = async () => {
    await Promise.all([botFramework?.channel.close(), botFramework?.tokens.close()]);
  };
  let app: RunningApp;
  try {
    app = await launch();
  } catch (err) {
    await closeBotFramework();
    await Promise.all([connector.close(), graph.close(), entra.close()]);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  let teams = clientFor(app.port);
  return {
    get app() {
      return app;
    },
    entra,
    graph,
    connector,
    get teams() {
      return teams;
    },
    clock,
    logs,
    botFramework: botFramework && { channel: botFramework.channel, tokens: botFramework.tokens },
    ssoToken: (person, o = {}) =>
      entra.issueUserToken({
        tenantId: o.tenantId ?? CONTOSO.tenantId,
        oid: person.aadObjectId,
        name: person.name,
        upn: `${person.name.split(' ')[0]?.toLowerCase()}@contoso.com`,
        audience: o.audience ?? `api://botid-${CONTOSO.clientId}`,
        ...(o.signWith ? { signWith: o.signWith } : {}),
        ...(o.expiresInSec !== undefined ? { expiresInSec: o.expiresInSec } : {}),
      }),
    restart: async () => {
      await app.close();
      app = await launch();
      teams = clientFor(app.port);
    },
    close: async () => {
      await app.close();
      await closeBotFramework();
      await Promise.all([connector.close(), graph.close(), entra.close()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
