import { request } from 'node:http';
import { attachedCard, cardActions, cardText } from '../integration/card-helpers';
import { PEOPLE } from '../integration/harness';
import { ask, ssoToken, startScene, type BotProcess, type ProcessScene, type Tenant } from './bot-process';

jest.setTimeout(60_000);

let scene: ProcessScene;
let tenant: Tenant;

beforeEach(async () => {
  scene = await startScene('crash-');
  ({ tenant } = scene);
});
afterEach(() => scene.end());

function start(): Promise<BotProcess> {
  return scene.start({ DATA_DIR: scene.dataDir, INVOKE_DEADLINE_MS: '100' });
}

/** Asks for a remediation and clicks Approve while Graph holds the call: the run is in flight. */
async function approveWhileGraphHolds(bot: BotProcess) {
  const hold = tenant.graph.hold(/retryServiceProvisioning/);
  const rec = await ask(tenant, bot, PEOPLE.reggie, 'retry-provisioning alice@contoso.com');
  const card = attachedCard(rec);
  const rid = cardActions(card)[0]?.data.rid;
  const target = { conversationId: String(rec.conversationId), replyToId: String(rec.newId), data: { rid } };
  const clicked = await bot.teams.invoke({
    from: PEOPLE.ada,
    verb: 'approve',
    token: ssoToken(tenant, PEOPLE.ada),
    ...target,
  });
  expect(cardText((clicked.body as { value: unknown }).value)).toMatch(/^Running/);
  await hold.waitForArrival();
  return { hold, target, cardId: String(rec.newId) };
}

function get(port: number, pathname: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('a bot process that dies mid-remediation', () => {
  it('is reconciled at the next start as "Outcome unknown", audited, and never run again', async () => {
    const first = await start();
    const { hold, target, cardId } = await approveWhileGraphHolds(first);
    first.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const writesBefore = tenant.graph.requests.filter((r) => r.method === 'POST').length;

    const second = await start();
    const update = await tenant.connector.waitFor(
      (r) =>
        r.kind === 'update' &&
        r.activityId === cardId &&
        cardText(attachedCard(r)).startsWith('Outcome unknown'),
      20_000,
    );
    const text = cardText(attachedCard(update));
    expect(text).toMatch(/verify in Entra/);
    expect(text).toMatch(/approved by Ada Admin/);
    // The thread is told in one line; the card above is the record.
    await tenant.connector.waitFor(
      (r) => r.kind === 'send' && String((r.body as { text?: unknown }).text).includes('Outcome unknown'),
    );

    const again = await second.teams.invoke({
      from: PEOPLE.nora,
      verb: 'approve',
      token: ssoToken(tenant, PEOPLE.nora),
      ...target,
    });
    expect(cardText((again.body as { value: unknown }).value)).toMatch(/^Outcome unknown/);
    const history = await ask(tenant, second, PEOPLE.ada, 'history --action retry-provisioning');
    expect(cardText(attachedCard(history))).toMatch(/Outcome unknown · retry-provisioning/);
    hold.release();
    expect(tenant.graph.requests.filter((r) => r.method === 'POST').length).toBe(writesBefore);
    expect(tenant.graph.callCount('retryServiceProvisioning')).toBe(0);
  });
});

describe('SIGTERM', () => {
  it('stops taking turns, lets the in-flight remediation finish and publish, and exits 0', async () => {
    const bot = await start();
    const { hold, cardId } = await approveWhileGraphHolds(bot);
    bot.kill('SIGTERM');
    await bot.waitForLog(/"msg":"shutting down"/);
    await expect(get(bot.port, '/healthz')).rejects.toThrow(/ECONNREFUSED|ECONNRESET|socket hang up/);
    hold.release();
    const update = await tenant.connector.waitFor(
      (r) =>
        r.kind === 'update' &&
        r.activityId === cardId &&
        cardText(attachedCard(r)).startsWith('Accepted by Microsoft Graph'),
    );
    expect(update).toBeDefined();
    expect(await bot.exited).toBe(0);
    expect(tenant.graph.callCount('retryServiceProvisioning')).toBe(1);
  });
});
