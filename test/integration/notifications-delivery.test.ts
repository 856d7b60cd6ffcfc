import { CONTOSO } from '../fakes';
import { cardText } from './card-helpers';
import { PEOPLE, startHarness, type Harness } from './harness';
import { CHANNEL, cardsIn, installInTeam, ManualScheduler, postsTo, say } from './notifications-helpers';

jest.setTimeout(30_000);

let h: Harness;
let scheduler: ManualScheduler;

beforeEach(async () => {
  scheduler = new ManualScheduler();
  h = await startHarness({}, { scheduler });
});
afterEach(async () => {
  await h.close();
});

const TEAM = '19:faketeam@thread.tacv2';
const GROUP_CHAT = '19:fakegroupchat@thread.v2';
const PERSONAL = `a:fake-personal-${CONTOSO.admins.ada}`;

async function referenceIds(): Promise<string[]> {
  return (await h.app.notifications.directory.references()).map((r) => r.conversationId).sort();
}

async function subscribedIds(): Promise<string[]> {
  return (await h.app.notifications.directory.subscriptions()).map((s) => s.conversationId).sort();
}

describe('installation tracking', () => {
  it('stores a reference when the bot is installed in a team, a group chat or a personal chat', async () => {
    await installInTeam(h);
    await h.teams.installationUpdate({ action: 'add', from: PEOPLE.ada, conversationType: 'groupChat' });
    await h.teams.conversationUpdate({ from: PEOPLE.ada, conversationType: 'personal', botAdded: true });
    expect(await referenceIds()).toEqual([TEAM, GROUP_CHAT, PERSONAL].sort());
    const team = await h.app.notifications.directory.reference(TEAM);
    expect(team).toMatchObject({
      conversationType: 'channel',
      teamId: TEAM,
      address: { serviceUrl: h.connector.url, tenantId: CONTOSO.tenantId, botId: `28:${CONTOSO.botId}` },
    });
  });

  it('forgets a conversation on uninstall, and every channel of a team when the team is deleted', async () => {
    await installInTeam(h);
    await h.teams.installationUpdate({ action: 'add', from: PEOPLE.ada, conversationType: 'groupChat' });
    await say(h, 'subscribe all');
    await say(h, 'subscribe license', 'groupChat');
    expect(await subscribedIds()).toEqual([CHANNEL, GROUP_CHAT].sort());

    await h.teams.installationUpdate({ action: 'remove', from: PEOPLE.ada, conversationType: 'groupChat' });
    expect(await referenceIds()).toEqual([CHANNEL, TEAM].sort());
    expect(await subscribedIds()).toEqual([CHANNEL]);

    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'teamDeleted' });
    expect(await referenceIds()).toEqual([]);
    expect(await subscribedIds()).toEqual([]);
    await h.app.notifications.monitor.runOnce();
    expect(h.connector.requests.filter((r) => r.kind === 'send')).toHaveLength(0);
  });

  it('forgets a team when the bot is removed from it, and a channel when it is deleted', async () => {
    await installInTeam(h);
    await say(h, 'subscribe all');
    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'channelDeleted', channelId: CHANNEL });
    expect(await subscribedIds()).toEqual([]);
    expect(await referenceIds()).toEqual([TEAM]);
    await h.teams.conversationUpdate({ from: PEOPLE.ada, botRemoved: true });
    expect(await referenceIds()).toEqual([]);
  });

  it('ignores installation events from a tenant that is not allowed', async () => {
    const res = await h.teams.installationUpdate({ action: 'add', from: PEOPLE.ada });
    expect(res.status).toBe(200);
    const foreign = await startForeignInstall();
    expect(foreign).toBe(200);
    expect(await referenceIds()).toEqual([TEAM]);
    expect(h.logs.join('')).toMatch(/installation event from a tenant that is not allowed/);
  });

  it('keeps references and subscriptions across a restart on the same DATA_DIR', async () => {
    await installInTeam(h);
    await say(h, 'subscribe user-provisioning');
    await h.restart();
    expect(await referenceIds()).toEqual([CHANNEL, TEAM].sort());
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
  });
});

async function startForeignInstall(): Promise<number> {
  const activity = h.teams.buildInstallationUpdate({
    action: 'add',
    from: PEOPLE.ada,
    conversationId: '19:other@thread.tacv2',
  });
  (activity['conversation'] as Record<string, unknown>)['tenantId'] = CONTOSO.foreignTenantId;
  (activity['channelData'] as Record<string, unknown>)['tenant'] = { id: CONTOSO.foreignTenantId };
  return (await h.teams.raw(activity)).status;
}

describe('sending inside Teams limits', () => {
  it('retries 429 after Retry-After (with jitter) and 502/504/412 with exponential backoff, then posts once', async () => {
    await say(h, 'subscribe user-provisioning');
    h.connector.failNext({ status: 429, headers: { 'retry-after': '3' }, pathContains: 'fakechannel' });
    h.connector.failNext({ status: 502, pathContains: 'fakechannel' });
    h.connector.failNext({ status: 504, pathContains: 'fakechannel' });
    h.connector.failNext({ status: 412, pathContains: 'fakechannel' });
    await h.app.notifications.monitor.runOnce();
    expect(postsTo(h, CHANNEL).map((r) => r.status)).toEqual([429, 502, 504, 412, 201]);
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
    const [afterRetryAfter, second, third, fourth] = scheduler.sleeps;
    expect(afterRetryAfter).toBeGreaterThanOrEqual(3000);
    expect(afterRetryAfter).toBeLessThanOrEqual(3300);
    expect(second).toBeGreaterThanOrEqual(1000);
    expect(second).toBeLessThanOrEqual(2000);
    expect(third).toBeGreaterThanOrEqual(2000);
    expect(third).toBeLessThanOrEqual(4000);
    expect(fourth).toBeGreaterThanOrEqual(4000);
    expect(fourth).toBeLessThanOrEqual(8000);
  });

  it('honours Retry-After: 0 at once, then drops the reference Teams answers 403 for (bot removed) and logs it', async () => {
    await installInTeam(h);
    await say(h, 'subscribe user-provisioning');
    h.connector.failNext({ status: 429, headers: { 'retry-after': '0' }, pathContains: 'fakechannel' });
    h.connector.removeConversation(CHANNEL, 403);
    const report = await h.app.notifications.monitor.runOnce();
    expect(postsTo(h, CHANNEL).map((r) => r.status)).toEqual([429, 403]);
    expect(scheduler.sleeps[0]).toBe(0);
    expect(report.notify.undelivered).toBe(1);
    expect(await subscribedIds()).toEqual([]);
    expect(await referenceIds()).toEqual([TEAM]);
    expect(h.logs.join('')).toMatch(/conversation reference dropped/);
    expect(h.logs.join('')).toMatch(/BotNotInConversationRoster/);

    await h.app.notifications.monitor.runOnce();
    expect(postsTo(h, CHANNEL)).toHaveLength(2);
  });

  it('drops a conversation answered 404 (ConversationNotFound)', async () => {
    await say(h, 'subscribe cloudpc', 'groupChat');
    h.connector.removeConversation(GROUP_CHAT, 404);
    await h.app.notifications.monitor.runOnce();
    expect(postsTo(h, GROUP_CHAT).map((r) => r.status)).toEqual([404]);
    expect(await subscribedIds()).toEqual([]);
  });

  it('gives up after five attempts and tries the failure again next cycle', async () => {
    await say(h, 'subscribe cloudpc');
    h.connector.failNext({ status: 502, pathContains: 'fakechannel', times: 5 });
    const failed = await h.app.notifications.monitor.runOnce();
    expect(failed.notify).toMatchObject({ posted: 0, undelivered: 1 });
    expect(postsTo(h, CHANNEL)).toHaveLength(5);
    expect(h.logs.join('')).toMatch(/notification not delivered; it will be tried again next cycle/);
    const retried = await h.app.notifications.monitor.runOnce();
    expect(retried.notify.posted).toBe(1);
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
  });

  it('paces several cards to one conversation at no more than 7 a second', async () => {
    await h.close();
    scheduler = new ManualScheduler();
    h = await startHarness({ NOTIFY_DIGEST_THRESHOLD: '50' }, { scheduler });
    await say(h, 'subscribe all');
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(5);
    expect(scheduler.sleeps.length).toBeGreaterThanOrEqual(4);
    for (const ms of scheduler.sleeps) expect(ms).toBeGreaterThanOrEqual(143);
  });
});

describe('subscription commands', () => {
  it('subscribes, lists, unsubscribes some kinds and then all', async () => {
    expect(await say(h, 'subscriptions')).toMatch(/not subscribed/);
    expect(await say(h, 'subscribe license, cloudpc')).toMatch(/license .*cloudpc/);
    expect(await say(h, 'subscribe sync')).toMatch(/license .*cloudpc .*sync/);
    expect(await say(h, 'subscriptions')).toMatch(/receives new failures of: license .*cloudpc .*sync/);
    expect(await say(h, 'unsubscribe cloudpc')).toMatch(/still receives: license .*sync/);
    expect(await say(h, 'unsubscribe')).toMatch(/no failure notifications any more/);
    expect(await subscribedIds()).toEqual([]);
  });

  it('names the valid kinds and suggests the closest for a typo', async () => {
    const text = await say(h, 'subscribe licence-errors');
    expect(text).toMatch(/Unknown failure kind/);
    expect(text).toMatch(/Kinds: all, user-provisioning, license, access-request, cloudpc, sync/);
    expect(await say(h, 'subscribe cloudcp')).toMatch(/Did you mean cloudpc\?/);
    expect(await subscribedIds()).toEqual([]);
  });

  it('works in a personal chat and a group chat, each on its own', async () => {
    await say(h, 'subscribe all', 'personal');
    await say(h, 'subscribe sync', 'groupChat');
    expect(await say(h, 'subscriptions', 'personal')).toMatch(/user-provisioning .*sync/);
    expect(await say(h, 'subscriptions', 'groupChat')).toMatch(/receives new failures of: sync \(/);
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, PERSONAL)).toHaveLength(5);
    expect(cardsIn(h, GROUP_CHAT)).toHaveLength(1);
    expect(cardText(cardsIn(h, GROUP_CHAT)[0])).toMatch(/Salesforce/);
  });

  it('appears in help', async () => {
    const text = await say(h, 'help');
    expect(text).toMatch(/subscribe <kinds>/);
    expect(text).toMatch(/unsubscribe \[<kinds>…\]/);
    expect(text).toMatch(/subscriptions/);
  });
});
