import { BlobLeadership } from '../../src/infra/storage/leadership';
import { attachedCard, cardActions, cardText } from '../integration/card-helpers';
import { PEOPLE } from '../integration/harness';
import { startAzurite, type Azurite } from '../storage/azurite';
import { ask, ssoToken, startScene, type BotProcess, type ProcessScene, type Tenant } from './bot-process';

jest.setTimeout(90_000);

let azurite: Azurite;
let scene: ProcessScene;
let tenant: Tenant;
let container = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite.stop();
});
beforeEach(async () => {
  scene = await startScene('multi-');
  ({ tenant } = scene);
  container += 1;
});
afterEach(() => scene.end());

function start(): Promise<BotProcess> {
  return scene.start({
    DATA_DIR: scene.dataDir,
    STORAGE_CONNECTION_STRING: azurite.connectionString,
    STORAGE_CONTAINER: `multi${container}`,
  });
}

async function pendingCard(bot: BotProcess) {
  const rec = await ask(tenant, bot, PEOPLE.reggie, 'retry-provisioning alice@contoso.com');
  const rid = cardActions(attachedCard(rec))[0]?.data.rid;
  return { conversationId: String(rec.conversationId), replyToId: String(rec.newId), data: { rid } };
}

describe('two bot processes sharing one Azure Blob store', () => {
  it('run an approval clicked on both at the same moment exactly once', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const target = await pendingCard(a);
    const [onA, onB] = await Promise.all(
      [a, b].map((bot) =>
        bot.teams.invoke({
          from: PEOPLE.ada,
          verb: 'approve',
          token: ssoToken(tenant, PEOPLE.ada),
          ...target,
        }),
      ),
    );
    const words = [onA, onB].map((r) => cardText((r?.body as { value: unknown }).value).split('\n')[0]);
    for (const w of words) expect(w).toMatch(/^(Running|Accepted by Microsoft Graph, verifying)$/);
    // The thread is told in one line; the card above is the record.
    await tenant.connector.waitFor(
      (r) =>
        r.kind === 'send' &&
        String((r.body as { text?: unknown }).text).includes('Accepted by Microsoft Graph'),
    );
    expect(tenant.graph.callCount('retryServiceProvisioning')).toBe(1);
    expect(tenant.graph.requests.filter((r) => r.path.endsWith('/retryServiceProvisioning'))).toHaveLength(1);
  });

  it('keep a pending approval across a restart: requested on one, approved on another after it stopped', async () => {
    const a = await start();
    const target = await pendingCard(a);
    a.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    const b = await start();
    const done = await b.teams.invoke({
      from: PEOPLE.ada,
      verb: 'approve',
      token: ssoToken(tenant, PEOPLE.ada),
      ...target,
    });
    expect(cardText((done.body as { value: unknown }).value)).toMatch(/^Accepted by Microsoft Graph/);
  });
});

describe('monitor leadership through a blob lease', () => {
  it('lets one instance lead; another takes over within one lease period after the leader dies', async () => {
    const name = `lease${container}`;
    const first = await BlobLeadership.open(azurite.connectionString, name, 'failure-monitor', 15);
    const second = await BlobLeadership.open(azurite.connectionString, name, 'failure-monitor', 15);
    expect(await first.ensure()).toBe(true);
    expect(await second.ensure()).toBe(false);
    expect(await first.ensure()).toBe(true);

    first.abandon();
    const diedAt = Date.now();
    // The lease lapses on Azurite's own clock, which a test cannot inject: ask once a second, bounded.
    let tookOver = false;
    while (!tookOver && Date.now() - diedAt < 20_000) {
      tookOver = await second.ensure();
      if (!tookOver) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(tookOver).toBe(true);
    expect(Date.now() - diedAt).toBeLessThanOrEqual(17_000);
    expect(await first.ensure()).toBe(false);
    await second.release();
    expect(await first.ensure()).toBe(true);
    await first.release();
  });
});
