import { CONTOSO } from '../fakes';
import { cardText } from './card-helpers';
import { PEOPLE, startHarness, type Harness } from './harness';
import {
  CHANNEL,
  cardsIn,
  installInTeam,
  postWebhook,
  postsTo,
  say,
  signedHeaders,
} from './notifications-helpers';
import { DEFAULT_MONITOR_GRAPH_SHARE, monitorSpacingMs } from '../../src/features/notify/monitor-graph';

jest.setTimeout(30_000);

let h: Harness;

beforeEach(async () => {
  h = await startHarness({});
});
afterEach(async () => {
  await h.close();
});

const TEAM = '19:faketeam@thread.tacv2';
const SECRET = 'webhook-secret-for-tests';

/** An external alert for the webhook, signed. */
function alert(event: { kind: string; targetId: string; conversationId: string }) {
  const body = JSON.stringify({
    ...event,
    error: { code: 'SIEM-Licence', message: 'Licence assignment failed.' },
  });
  return postWebhook(h.app.port, body, signedHeaders(SECRET, body, h.clock.now()));
}
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

/** The clock's sleeps but the failure monitor's own spacing of its Graph reads (monitor-graph.ts). */
function senderSleeps(): number[] {
  const spacing = monitorSpacingMs(DEFAULT_MONITOR_GRAPH_SHARE);
  return h.clock.sleeps.filter((ms) => ms <= 0 || ms > spacing + 1e-6);
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
    const [afterRetryAfter, second, third, fourth] = senderSleeps();
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
    expect(senderSleeps()[0]).toBe(0);
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

  it('keeps a burst of 70 cards and a command reply in one channel inside every window Teams documents', async () => {
    await h.close();
    h = await startHarness({ NOTIFY_WEBHOOK_SECRET: SECRET });
    h.connector.enforceTeamsLimits(h.clock.now);
    await say(h, 'subscribe license');
    const start = h.clock.now();
    const answers = await Promise.all(
      Array.from({ length: 70 }, (_, i) =>
        alert({ kind: 'license', targetId: `user${i}@contoso.com`, conversationId: CHANNEL }),
      ),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    await h.app.notifications.webhook?.drain();
    expect(await say(h, 'subscriptions')).toMatch(/license/);
    expect(cardsIn(h, CHANNEL)).toHaveLength(70);
    const refused = h.connector.requests.filter((r) => r.status === 429);
    expect(refused).toEqual([]);
    expect(h.clock.now() - start).toBeGreaterThanOrEqual(30_000);
  });
});

describe("Teams' refusals, by their error code", () => {
  async function history(): Promise<string> {
    return say(h, 'history --limit 20', 'personal');
  }

  it('pauses a conversation whose user blocked the bot: keeps it and its subscription, audits, and resumes when someone there talks to the bot', async () => {
    await say(h, 'subscribe user-provisioning');
    h.connector.blockConversation(CHANNEL, 'ConversationBlockedByUser');
    const first = await h.app.notifications.monitor.runOnce();
    expect(first.notify.undelivered).toBeGreaterThan(0);
    expect(postsTo(h, CHANNEL).map((r) => r.status)).toEqual([403]);
    expect(await subscribedIds()).toEqual([CHANNEL]);
    const paused = await h.app.notifications.directory.reference(CHANNEL);
    expect(paused?.paused).toMatchObject({ code: 'ConversationBlockedByUser', refusals: 1 });
    expect(h.logs.join('')).toMatch(/posting paused, subscriptions kept/);

    await h.app.notifications.monitor.runOnce();
    expect(postsTo(h, CHANNEL)).toHaveLength(1);

    h.connector.unblockConversation(CHANNEL);
    expect(await say(h, 'subscriptions')).toMatch(/user-provisioning/);
    expect((await h.app.notifications.directory.reference(CHANNEL))?.paused).toBeUndefined();
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
    const trail = await history();
    expect(trail).toMatch(/Posting paused · conversation/);
    expect(trail).toMatch(/ConversationBlockedByUser/);
    expect(trail).toMatch(/Posting resumed · conversation/);
  });

  it('holds a conversation an admin disabled the bot in for the back-off, then tries once and resumes', async () => {
    await h.close();
    h = await startHarness({ NOTIFY_WEBHOOK_SECRET: SECRET });
    await say(h, 'subscribe license');
    const licence = (n: number) =>
      alert({ kind: 'license', targetId: `user${n}@contoso.com`, conversationId: CHANNEL });
    h.connector.blockConversation(CHANNEL, 'BotDisabledByAdmin');
    await licence(1);
    await h.app.notifications.webhook?.drain();
    expect(postsTo(h, CHANNEL).map((r) => r.status)).toEqual([403]);
    h.clock.advance(30 * 60_000);
    await licence(2);
    await h.app.notifications.webhook?.drain();
    expect(postsTo(h, CHANNEL)).toHaveLength(1);

    h.connector.unblockConversation(CHANNEL);
    h.clock.advance(31 * 60_000);
    await licence(3);
    await h.app.notifications.webhook?.drain();
    expect(postsTo(h, CHANNEL).map((r) => r.status)).toEqual([403, 201]);
    expect((await h.app.notifications.directory.reference(CHANNEL))?.paused).toBeUndefined();
    expect(await history()).toMatch(/Posting resumed · conversation[\s\S]*a post went through/);
  });

  it('audits forgetting a conversation Teams says the bot is not in', async () => {
    await say(h, 'subscribe user-provisioning');
    h.connector.removeConversation(CHANNEL, 403);
    await h.app.notifications.monitor.runOnce();
    expect(await subscribedIds()).toEqual([]);
    expect(await history()).toMatch(
      /Conversation forgotten · conversation[\s\S]*403 BotNotInConversationRoster/,
    );
  });
});

describe('restored teams and channels', () => {
  it("brings back a deleted team's conversations and subscriptions when the team is restored", async () => {
    await installInTeam(h);
    await say(h, 'subscribe all');
    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'teamDeleted' });
    expect(await referenceIds()).toEqual([]);
    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'teamRestored' });
    expect(await referenceIds()).toEqual([CHANNEL, TEAM].sort());
    expect(await subscribedIds()).toEqual([CHANNEL]);
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL).length).toBeGreaterThan(0);
  });

  it('brings back a deleted channel on channelRestored, and a team on teamUnarchived', async () => {
    await installInTeam(h);
    await say(h, 'subscribe all');
    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'channelDeleted', channelId: CHANNEL });
    expect(await subscribedIds()).toEqual([]);
    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'channelRestored', channelId: CHANNEL });
    expect(await subscribedIds()).toEqual([CHANNEL]);

    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'teamDeleted' });
    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'teamUnarchived' });
    expect(await referenceIds()).toEqual([CHANNEL, TEAM].sort());
    expect(await subscribedIds()).toEqual([CHANNEL]);
  });

  it('forgets a team for good on teamHardDeleted: a later restore brings nothing back', async () => {
    await installInTeam(h);
    await say(h, 'subscribe all');
    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'teamHardDeleted' });
    await h.teams.conversationUpdate({ from: PEOPLE.ada, eventType: 'channelRestored', channelId: CHANNEL });
    expect(await subscribedIds()).toEqual([]);
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
    expect(text).toMatch(/Kinds: all, user-provisioning, license, cloudpc, access-request, sync/);
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
