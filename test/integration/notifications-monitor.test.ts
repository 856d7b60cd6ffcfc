import { CONTOSO, provisioningLog, type GraphUserSeed } from '../fakes';
import { cardActions, cardText } from './card-helpers';
import { approve, type Sent } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';
import {
  asSent,
  CHANNEL,
  cardsIn,
  installInTeam,
  lastPost,
  postsTo,
  remediate,
  say,
} from './notifications-helpers';

jest.setTimeout(30_000);

const HOUR = 3_600_000;
const u = CONTOSO.users;

let h: Harness;

async function start(env: Record<string, string> = {}, graphPageSize?: number): Promise<void> {
  h = await startHarness(env, graphPageSize ? { graphPageSize } : {});
}

afterEach(async () => {
  await h.close();
});

/** A user whose Exchange provisioning failed. */
function failingUser(n: number): GraphUserSeed {
  const id = `10000000-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`;
  return {
    id,
    displayName: `Failing User ${n}`,
    userPrincipalName: `failing${n}@contoso.com`,
    serviceProvisioningErrors: [
      {
        createdDateTime: '2026-11-22T10:00:00Z',
        isResolved: false,
        serviceInstance: 'exchange/namprd11-001-01',
        errorDetail: `<ErrorDescription>Proxy address conflict for failing${n}.</ErrorDescription>`,
      },
    ],
  };
}

interface KindCase {
  kind: string;
  title: RegExp;
  code: string;
  command: string;
  confirmation: RegExp;
}

const KINDS: KindCase[] = [
  {
    kind: 'user-provisioning',
    title: /Service provisioning failed for Alice Smith/,
    code: 'ProvisioningError/exchange',
    command: `retry-provisioning ${u.alice}`,
    confirmation: /Retry service provisioning for Alice Smith/,
  },
  {
    kind: 'license',
    title: /Licence assignment failed for Alice Smith/,
    code: 'CountViolation',
    command: `reprocess-license ${u.alice}`,
    confirmation: /Alice Smith/,
  },
  {
    kind: 'access-request',
    title: /Access package delivery failed: Sales tools for Alice Smith/,
    code: 'deliveryFailed',
    command: `reprocess-access-request ${CONTOSO.requests.failed}`,
    confirmation: /Sales tools/,
  },
  {
    kind: 'cloudpc',
    title: /Cloud PCs failed to provision: Frontline shift workers/,
    code: 'provisioningFailed',
    command: `retry-cloudpc-policy ${CONTOSO.policies.frontline}`,
    confirmation: /Frontline shift workers/,
  },
  {
    kind: 'sync',
    title: /App provisioning failed: Alice Smith in Salesforce/,
    code: 'SalesforceDuplicateUserName',
    command: `provision-on-demand ${u.alice} --app ${CONTOSO.apps.salesforce} --job salesforce.a1b2c3`,
    confirmation: /Salesforce/,
  },
];

describe('failure monitor', () => {
  it('install → subscribe → one card per new failure → Remediate → the confirmation card; nothing twice', async () => {
    await start();
    await installInTeam(h);
    expect(await say(h, 'subscribe user-provisioning')).toMatch(
      /now receives new failures of: user-provisioning/,
    );

    const report = await h.app.notifications.monitor.runOnce();
    expect(report.detected).toEqual({
      'user-provisioning': 1,
      license: 1,
      'access-request': 1,
      cloudpc: 1,
      sync: 1,
    });
    const cards = cardsIn(h, CHANNEL);
    expect(cards).toHaveLength(1);
    const text = cardText(cards[0]);
    for (const part of [
      'Service provisioning failed for Alice Smith',
      'ProvisioningError/exchange',
      'The proxy address SMTP:alice@contoso.com is already used by another recipient.',
      'Failed {{DATE(2026-11-21T12:00:00Z, SHORT)}} {{TIME(2026-11-21T12:00:00Z)}}, 24 h before this alert.',
      'retry-provisioning for Alice Smith',
      `Remediate proposes retry-provisioning ${u.alice}`,
    ]) {
      expect(text).toContain(part);
    }
    const buttons = cardActions(cards[0]);
    expect(buttons.map((b) => b.verb)).toEqual(['remediate']);
    expect(Object.keys(buttons[0]?.data ?? {})).toEqual(['fid']);
    expect(String(buttons[0]?.data['fid'])).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const sent = lastPost(h, CHANNEL);
    const answer = await remediate(h, sent);
    expect(answer.statusCode).toBe(200);
    expect(cardText(answer.value)).toMatch(/Retry service provisioning for Alice Smith/);
    expect(cardActions(answer.value).map((a) => a.verb)).toEqual(
      expect.arrayContaining(['approve', 'cancel']),
    );
    expect(h.graph.writes()).toHaveLength(0);

    const [again, concurrent] = await Promise.all([remediate(h, sent), remediate(h, sent)]);
    const rid = (card: unknown) => cardActions(card).find((a) => a.verb === 'approve')?.data['rid'];
    expect(rid(again.value)).toBe(rid(answer.value));
    expect(rid(concurrent.value)).toBe(rid(answer.value));

    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
  });

  it('keeps a Remediate button usable by the next person when the first could not request it', async () => {
    await start();
    await installInTeam(h);
    await say(h, 'subscribe user-provisioning');
    await h.app.notifications.monitor.runOnce();
    const sent = lastPost(h, CHANNEL);
    const carol = { name: "Carol O'Brien", aadObjectId: CONTOSO.users.carol };
    const refused = await remediate(h, sent, 0, carol);
    expect(cardText(refused.value)).toMatch(/not allowed/i);
    expect(cardActions(refused.value).map((a) => a.verb)).not.toContain('approve');
    const answer = await remediate(h, sent, 0, PEOPLE.reggie);
    expect(cardText(answer.value)).toMatch(/Retry service provisioning for Alice Smith/);
    expect(cardActions(answer.value).map((a) => a.verb)).toContain('approve');
  });

  it('posts again only when a failure recurs after it was resolved (approving the Remediate resolves it)', async () => {
    await start();
    await say(h, 'subscribe user-provisioning');
    await h.app.notifications.monitor.runOnce();
    const first = lastPost(h, CHANNEL);
    const confirmation = await remediate(h, first);
    const done = await approve(h, { ...first, card: confirmation.value } as Sent);
    expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
    expect(h.graph.callCount('retryServiceProvisioning', u.alice)).toBe(1);

    const resolvedCycle = await h.app.notifications.monitor.runOnce();
    expect(resolvedCycle.detected['user-provisioning']).toBe(0);
    expect(resolvedCycle.resolved).toBe(1);
    const before = cardsIn(h, CHANNEL).length;

    const alice = h.graph.findUser(u.alice);
    for (const e of alice?.serviceProvisioningErrors ?? []) e.isResolved = false;
    await h.app.notifications.monitor.runOnce();
    const after = cardsIn(h, CHANNEL);
    expect(after).toHaveLength(before + 1);
    expect(cardText(after[after.length - 1])).toContain('Service provisioning failed for Alice Smith');
  });

  it('forgets an alert 30 days after it was posted once its failure closed, and keeps an open one', async () => {
    await start();
    h.graph.seed({ users: [...(h.graph.store.users ?? []), failingUser(1)] });
    await say(h, 'subscribe user-provisioning');
    await h.app.notifications.monitor.runOnce();
    const alerts = postsTo(h, CHANNEL).filter((r) => r.status < 300);
    const alertFor = (name: string): Sent => {
      const alert = alerts.find((r) =>
        cardText(asSent(r).card).includes(`Service provisioning failed for ${name}`),
      );
      if (!alert) throw new Error(`no alert for ${name}`);
      return asSent(alert);
    };
    const closed = alertFor('Alice Smith');
    const open = alertFor('Failing User 1');
    for (const e of h.graph.findUser(u.alice)?.serviceProvisioningErrors ?? []) e.isResolved = true;
    expect((await h.app.notifications.monitor.runOnce()).resolved).toBe(1);
    // The jumps below outrun the app's cached Graph token (its expiry is kept on the real clock), so the
    // clicks are judged by whether the bot still knows the alert, not by what Graph answers after.
    const forgotten = /The bot no longer keeps this alert/;

    h.clock.advance(29 * 24 * HOUR);
    await h.app.notifications.monitor.runOnce();
    expect(JSON.stringify((await remediate(h, closed)).value)).not.toMatch(forgotten);

    h.clock.advance(2 * 24 * HOUR);
    await h.app.notifications.monitor.runOnce();
    const answer = await remediate(h, closed);
    expect(answer.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(answer.value)).toMatch(
      /The bot no longer keeps this alert: an alert is forgotten 30 days after it was posted, once its failure is no longer open\. If it still fails, run the remediation command instead\./,
    );
    const kept = await remediate(h, open);
    expect(kept.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(kept.value)).not.toMatch(forgotten);
  });

  it.each(KINDS)('detects $kind failures and maps them to the matching remediation', async (c) => {
    await start();
    await say(h, `subscribe ${c.kind}`);
    await h.app.notifications.monitor.runOnce();
    const cards = cardsIn(h, CHANNEL);
    expect(cards).toHaveLength(1);
    const text = cardText(cards[0]);
    expect(text).toMatch(c.title);
    expect(text).toContain(c.code);
    expect(text).toContain(c.command);
    const answer = await remediate(h, lastPost(h, CHANNEL));
    expect(answer.statusCode).toBe(200);
    expect(cardText(answer.value)).toMatch(c.confirmation);
    expect(cardText(answer.value)).toMatch(/Approval needed/);
  });

  it('queries Graph the supported way: users by delta, no ConsistencyLevel, beta Cloud PCs, a 14-day window, a log watermark', async () => {
    await start();
    await h.app.notifications.monitor.runOnce();
    expect(h.graph.requests.some((r) => r.path === '/users')).toBe(false);
    const users = h.graph.requests.find((r) => r.path === '/users/delta');
    expect(users?.query).toEqual({ $select: 'id,displayName,userPrincipalName,serviceProvisioningErrors' });
    const groups = h.graph.requests.find((r) => r.path === '/groups');
    expect(groups?.query['$filter']).toBe('hasMembersWithLicenseErrors eq true');
    expect(groups?.headers['consistencylevel']).toBeUndefined();
    expect(
      h.graph.requests.some((r) => r.path === `/groups/${CONTOSO.groups.e5}/membersWithLicenseErrors`),
    ).toBe(true);
    const pcs = h.graph.requests.find((r) => r.path === '/deviceManagement/virtualEndpoint/cloudPCs');
    expect(pcs?.version).toBe('beta');
    const requests = h.graph.requests.find(
      (r) => r.path === '/identityGovernance/entitlementManagement/assignmentRequests',
    );
    expect(requests?.query['$filter']).toMatch(/state eq 'deliveryFailed'/);
    const log = h.graph.requests.find((r) => r.path === '/auditLogs/provisioning');
    expect(log?.query).toMatchObject({
      $filter: "provisioningStatusInfo/status eq 'failure' and activityDateTime gt 2026-11-21T12:00:00.000Z",
      $top: '100',
    });
    for (const r of h.graph.requests) {
      expect(r.method).toBe('GET');
      expect(r.token?.idtyp).toBe('app');
    }

    h.graph.resetRecords();
    await h.app.notifications.monitor.runOnce();
    const next = h.graph.requests.find((r) => r.path === '/auditLogs/provisioning');
    expect(next?.query['$filter']).toBe(
      "provisioningStatusInfo/status eq 'failure' and activityDateTime gt 2026-11-22T09:00:00.000Z",
    );
  });

  it('leaves out access requests past the 14-day reprocess window and successful or old log entries', async () => {
    await start();
    await say(h, 'subscribe access-request sync');
    await h.app.notifications.monitor.runOnce();
    const text = cardsIn(h, CHANNEL).map(cardText).join('\n');
    expect(text).toContain(CONTOSO.requests.failed);
    expect(text).not.toContain(CONTOSO.requests.stale);
    expect(text).not.toContain("Carol O'Brien");
    expect(text).not.toContain('Bob Jones');
  });

  it('follows @odata.nextLink through every page', async () => {
    await start({ NOTIFY_DIGEST_THRESHOLD: '50' }, 2);
    h.graph.seed({ users: [...h.graph.store.users, ...[1, 2, 3, 4, 5].map(failingUser)] });
    await say(h, 'subscribe user-provisioning');
    const report = await h.app.notifications.monitor.runOnce();
    expect(report.detected['user-provisioning']).toBe(6);
    expect(cardsIn(h, CHANNEL)).toHaveLength(6);
    const pages = h.graph.requests.filter((r) => r.path === '/users/delta');
    expect(pages.length).toBeGreaterThanOrEqual(7);
    expect(pages.slice(1).every((r) => r.query['$skiptoken'] !== undefined)).toBe(true);
  });

  it('sends one digest above NOTIFY_DIGEST_THRESHOLD, with a Remediate button per line', async () => {
    await start({ NOTIFY_DIGEST_THRESHOLD: '2' });
    await say(h, 'subscribe all');
    const report = await h.app.notifications.monitor.runOnce();
    expect(report.notify).toMatchObject({ posted: 5, cards: 1, digests: 1 });
    const cards = cardsIn(h, CHANNEL);
    expect(cards).toHaveLength(1);
    const text = cardText(cards[0]);
    expect(text).toContain('5 new provisioning failures');
    for (const c of KINDS) expect(text).toContain(c.command);
    const buttons = cardActions(cards[0]).filter((b) => b.verb === 'remediate');
    expect(buttons).toHaveLength(5);
    expect(new Set(buttons.map((b) => b.data['fid'])).size).toBe(5);

    const digest = lastPost(h, CHANNEL);
    // Lines follow the registry's order: the Cloud PC policy is the third.
    const answer = await remediate(h, digest, 2);
    expect(cardText(answer.value)).toMatch(/Frontline shift workers/);

    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
  });

  it('posts a log failure once while it repeats, and again after it has been quiet for a day', async () => {
    await start();
    await say(h, 'subscribe sync');
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);

    h.clock.advance(HOUR / 2);
    h.graph.seed({
      provisioningLogs: [
        ...h.graph.store.provisioningLogs,
        provisioningLog(new Date(h.clock.now()), 0, 'log-alice-sf-2', u.alice, 'Alice Smith', 'failure'),
      ],
    });
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);

    h.clock.advance(30 * HOUR);
    // A new process: the cached app-only token was issued on the fake clock, 30 hours ago.
    await h.restart();
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
    h.graph.seed({
      provisioningLogs: [
        ...h.graph.store.provisioningLogs,
        provisioningLog(new Date(h.clock.now()), 0, 'log-alice-sf-3', u.alice, 'Alice Smith', 'failure'),
      ],
    });
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(2);
  });

  it('keeps a kind as it was when its detection fails, and posts nothing twice when it recovers', async () => {
    await start();
    await say(h, 'subscribe license user-provisioning');
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(2);

    h.graph.failNext({
      path: '/groups',
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Denied',
    });
    const broken = await h.app.notifications.monitor.runOnce();
    expect(broken.detected.license).toBe('error');
    expect(broken.resolved).toBe(0);
    await h.app.notifications.monitor.runOnce();
    expect(cardsIn(h, CHANNEL)).toHaveLength(2);
    expect(h.logs.join('')).toMatch(/failure detection failed; this kind is skipped this cycle/);
  });

  it('runs on MONITOR_INTERVAL through the clock, and not at all when it is unset', async () => {
    await start({ MONITOR_INTERVAL: '5m' });
    expect(h.clock.repeating.map((r) => r.ms)).toEqual([300_000]);
    await say(h, 'subscribe cloudpc');
    h.clock.fire();
    await h.connector.waitFor((r) => r.kind === 'send' && r.status < 300);
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
    const first = h.clock;
    await h.close();
    expect(first.repeating[0]?.cancelled).toBe(true);

    await start();
    expect(h.clock.repeating).toHaveLength(0);
    expect(postsTo(h, CHANNEL)).toHaveLength(0);
  });
});
