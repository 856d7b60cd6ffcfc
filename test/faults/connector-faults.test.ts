import { CONTOSO } from '../fakes';
import { attachedCard, cardText } from '../integration/card-helpers';
import { approve, command, errorLogs, logEntries, outcomeReply } from '../integration/flows';
import { PEOPLE, startHarness, type Harness } from '../integration/harness';
import { auditTimeline, remediationId } from './fault-helpers';

jest.setTimeout(30_000);

/**
 * The Bot Connector misbehaving while the bot publishes a remediation's outcome (the card update for everyone
 * and the reply in the thread). Notifications' own handling of the same answers is tested in
 * test/integration/notifications-delivery.test.ts; both go through retryDelivery (src/features/shared/delivery.ts).
 */
let h: Harness;
beforeEach(async () => {
  h = await startHarness({});
});
afterEach(async () => {
  await h.close();
});

const ALICE = 'retry-provisioning alice@contoso.com';

describe.each([
  ['the card update', 'PUT'],
  ['the outcome reply', 'POST'],
])('%s', (_what, method) => {
  it.each([
    [429, { 'Retry-After': '3' }, [3000, 3300]],
    [412, undefined, [500, 1000]],
    [502, undefined, [500, 1000]],
    [504, undefined, [500, 1000]],
  ])('is retried after %i with backoff and jitter, and arrives once', async (status, headers, range) => {
    const sent = await command(h, ALICE);
    h.connector.failNext({ method, status, ...(headers ? { headers } : {}) });
    await approve(h, sent);
    await outcomeReply(h, 'Accepted by Microsoft Graph');
    const update = await h.connector.waitFor(
      (r) => r.kind === 'update' && r.status === 200 && r.activityId === sent.cardId,
    );
    await h.app.approvals.drain();
    expect(cardText(attachedCard(update))).toMatch(/^Accepted by Microsoft Graph/);
    const kind = method === 'PUT' ? 'update' : 'send';
    const ok = method === 'PUT' ? 200 : 201;
    expect(h.connector.requests.filter((r) => r.kind === kind).map((r) => r.status)).toEqual([status, ok]);
    expect(h.clock.sleeps).toHaveLength(1);
    expect(h.clock.sleeps[0]).toBeGreaterThanOrEqual(range[0] ?? 0);
    expect(h.clock.sleeps[0]).toBeLessThanOrEqual(range[1] ?? 0);
    expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
    expect(errorLogs(h)).toEqual([]);
  });
});

it('gives up after five attempts, logs it, and keeps the outcome in the audit trail', async () => {
  const sent = await command(h, ALICE);
  const rid = remediationId(sent);
  h.connector.failNext({ method: 'PUT', status: 502, times: 10 });
  const done = await approve(h, sent);
  expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
  await h.app.approvals.drain();
  expect(h.connector.requests.filter((r) => r.kind === 'update').map((r) => r.status)).toEqual([
    502, 502, 502, 502, 502,
  ]);
  expect(h.clock.sleeps).toHaveLength(4);
  expect(logEntries(h).some((e) => e.msg === 'could not publish the remediation card')).toBe(true);
  expect(await auditTimeline(h, rid)).toMatch(/Accepted by Graph/);
  expect(h.graph.callCount('retryServiceProvisioning')).toBe(1);
});

it.each([403, 404] as const)(
  'drops the conversation reference when Teams answers %i, and does not retry',
  async (status) => {
    await h.teams.installationUpdate({ action: 'add', from: PEOPLE.ada, conversationType: 'groupChat' });
    const before = await h.app.notifications.directory.references();
    expect(before).toHaveLength(1);
    const sent = await command(h, ALICE, PEOPLE.reggie, { conversationType: 'groupChat' });
    expect(sent.conversationId).toBe(before[0]?.conversationId);
    const rid = remediationId(sent);
    h.connector.removeConversation(sent.conversationId, status);

    const done = await approve(h, sent);
    expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
    await h.app.approvals.drain();
    const afterApprove = h.connector.requests.filter((r) => r.kind === 'update' || r.kind === 'send');
    expect(afterApprove.map((r) => r.status)).toEqual([status]);
    expect(h.clock.sleeps).toEqual([]);
    expect(await h.app.notifications.directory.references()).toEqual([]);
    expect(await auditTimeline(h, rid)).toMatch(/Accepted by Graph/);
  },
);

it('keeps the conversation when the card to update was deleted (404 ActivityNotFoundInConversation)', async () => {
  await h.teams.installationUpdate({ action: 'add', from: PEOPLE.ada, conversationType: 'groupChat' });
  const sent = await command(h, ALICE, PEOPLE.reggie, { conversationType: 'groupChat' });
  h.connector.deleteMessage(sent.cardId);
  const done = await approve(h, sent);
  expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
  await h.app.approvals.drain();
  const updates = h.connector.requests.filter((r) => r.kind === 'update' && r.activityId === sent.cardId);
  expect(updates.map((r) => r.status)).toEqual([404]);
  expect(h.clock.sleeps).toEqual([]);
  expect((await h.app.notifications.directory.references()).map((r) => r.conversationId)).toEqual([
    sent.conversationId.split(';')[0],
  ]);
  expect(cardText((await command(h, ALICE, PEOPLE.reggie, { conversationType: 'groupChat' })).card)).toMatch(
    /alice/i,
  );
});
