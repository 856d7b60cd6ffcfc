import { cardActions, cardText } from './card-helpers';
import { click, command, oboRequests } from './flows';
import { PEOPLE, type Harness } from './harness';
import {
  batchedWrites,
  headline,
  requestAndApprove,
  startBulkHarness,
  summaryPost,
  toldInThread,
} from './bulk-helpers';
import { entraFaults, type FailingUsers } from '../fakes';

describe('bulk remediation under Graph throttling (virtual time)', () => {
  let h: Harness;
  let users: FailingUsers;

  afterEach(async () => {
    await h.close();
  });

  it('honours per-item 429 + Retry-After inside batches and runs every target exactly once', async () => {
    ({ h, users } = await startBulkHarness(45, { BULK_CONCURRENCY: '2' }));
    h.graph.setThrottle({ limit: 10, windowMs: 10_000 });
    const started = h.clock.now();
    await requestAndApprove(h, `retry-provisioning --group ${users.group.id}`);
    const summary = await summaryPost(h);

    expect(headline(summary.card)).toBe('Accepted by Microsoft Graph, verifying');
    expect(cardText(summary.card)).toMatch(/45 of 45 accepted by Microsoft Graph/);
    for (const id of users.ids) expect(h.graph.callCount('retryServiceProvisioning', id)).toBe(1);
    const throttled = batchedWrites(h, 429);
    expect(throttled.length).toBeGreaterThan(0);
    // Each item may be throttled at most 10 times before it is given up: all 45 succeeding means the bot
    // waited as told instead of hammering, and the windows (10 per 10 s) say how long that takes at least.
    expect(h.clock.now() - started).toBeGreaterThanOrEqual(40_000);
    expect(h.clock.sleeps.some((ms) => ms >= 1000 && ms <= 10_000)).toBe(true);
    // Waiting out Retry-After means each target goes at most once per 10 s window: after window k, 45 − 10k
    // targets remain, so no more than 35 + 25 + 15 + 5 answers can be 429. A bot that retried on its own
    // backoff instead (1 s, 2 s, 4 s…) would be refused several times per window.
    expect(throttled.length).toBeLessThanOrEqual(35 + 25 + 15 + 5);
  });

  it('follows each item’s answer: a 503 holds only that item, a 429 the run, put-back items fill batches', async () => {
    // Graph's budget, 100 writes per 10 s, runs on its own; 1 in 100 items within it answers 503 + Retry-After 20.
    ({ h, users } = await startBulkHarness(400, { BULK_CONCURRENCY: '2' }));
    h.graph.setThrottle({
      limit: 100,
      windowMs: 10_000,
      unavailableEvery: 100,
      unavailableRetryAfterSec: 20,
    });
    await requestAndApprove(h, `retry-provisioning --group ${users.group.id}`);
    const summary = await summaryPost(h);

    expect(cardText(summary.card)).toMatch(/400 of 400 accepted by Microsoft Graph/);
    for (const id of users.ids) expect(h.graph.callCount('retryServiceProvisioning', id)).toBe(1);
    const log = h.graph.requests;
    const writes = batchedWrites(h);
    const batchOf = (id: string | undefined) => writes.filter((w) => w.batchId === id);

    // Each item answered 503 goes again once its own Retry-After has passed…
    const unavailable = writes.filter((w) => w.status === 503);
    expect(unavailable.length).toBeGreaterThanOrEqual(3);
    for (const miss of unavailable) {
      const again = writes.find((w) => w.path === miss.path && log.indexOf(w) > log.indexOf(miss));
      expect(again?.at).toBeGreaterThanOrEqual(miss.at + 20_000);
    }
    // …while the others go on: after the bot had the first 503, batches still
    // leave before that Retry-After has passed. Holding the run would leave only the one already in flight.
    const first = unavailable[0];
    const answered = log.findIndex((r) => r.path === '/$batch' && r.requestId === first?.batchId);
    const meanwhile = log
      .slice(answered + 1)
      .filter((r) => r.batchId !== undefined && r.at < (first?.at ?? 0) + 20_000);
    expect(new Set(meanwhile.map((r) => r.batchId)).size).toBeGreaterThanOrEqual(3);

    // A 429 holds every send until its Retry-After: in each window, 429s reach at most the batch that drew the
    // first one and the other batch already in flight (BULK_CONCURRENCY 2).
    const throttled = writes.filter((w) => w.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    for (const at of new Set(throttled.map((w) => w.at))) {
      expect(new Set(throttled.filter((w) => w.at === at).map((w) => w.batchId)).size).toBeLessThanOrEqual(2);
    }

    // Items put back (after a 429 or a 503) leave in full batches: a batch is short only when fewer than two
    // batches' worth of targets (one may be in flight) were still without an answer.
    const retried = new Set([...unavailable, ...throttled].map((w) => w.path));
    const carriers = new Set(
      writes.filter((w) => w.status === 204 && retried.has(w.path)).map((w) => w.batchId),
    );
    for (const id of carriers) {
      const items = batchOf(id);
      const start = items[0] ? log.indexOf(items[0]) : -1;
      const answeredBefore = writes.filter((w) => w.status === 204 && log.indexOf(w) < start).length;
      if (users.ids.length - answeredBefore >= 40) expect(items).toHaveLength(20);
    }
  });

  it('keeps provisionOnDemand under 5 requests per 10 seconds (never a 429)', async () => {
    ({ h, users } = await startBulkHarness(7));
    const names = users.users.map((u) => u.userPrincipalName).join(' ');
    await requestAndApprove(h, `provision-on-demand ${names} --app Salesforce`);
    const summary = await summaryPost(h);
    expect(cardText(summary.card)).toMatch(/7 of 7 accepted by Microsoft Graph/);
    const pods = batchedWrites(h).filter((r) => r.path.endsWith('/provisionOnDemand'));
    expect(pods).toHaveLength(7);
    expect(pods.every((r) => r.status === 200)).toBe(true);
    for (const r of pods) {
      expect(pods.filter((p) => p.at >= r.at && p.at < r.at + 10_000).length).toBeLessThanOrEqual(5);
    }
    for (const id of users.ids) expect(h.graph.callCount('provisionOnDemand', id)).toBe(1);
  });

  it('refreshes the approver’s Graph token when it nears expiry mid-run', async () => {
    ({ h, users } = await startBulkHarness(45, { BULK_CONCURRENCY: '1' }));
    const hold = h.graph.hold('$batch', { after: 1 });
    const confirmation = await command(h, `retry-provisioning --group ${users.group.id}`, PEOPLE.reggie);
    await click(h, confirmation, 'approve', PEOPLE.ada, h.ssoToken(PEOPLE.ada, { expiresInSec: 3 * 3600 }));
    await hold.waitForArrival();
    const exchanges = oboRequests(h).length;
    h.clock.advance(61 * 60_000);
    hold.release();
    const summary = await summaryPost(h);
    expect(cardText(summary.card)).toMatch(/45 of 45 accepted by Microsoft Graph/);
    expect(oboRequests(h).length).toBe(exchanges + 1);
    expect(h.graph.requests.filter((r) => r.path === '/$batch' && r.status === 401)).toHaveLength(0);
    for (const id of users.ids) expect(h.graph.callCount('retryServiceProvisioning', id)).toBe(1);
  });

  /** Runs a 45-target bulk remediation until the approver's sign-in lapses mid-run and the run pauses. */
  async function pausedBySignInExpiry() {
    ({ h, users } = await startBulkHarness(45, { BULK_CONCURRENCY: '1' }));
    const hold = h.graph.hold('$batch', { after: 1 });
    await requestAndApprove(h, `retry-provisioning --group ${users.group.id}`);
    await hold.waitForArrival();
    h.clock.advance(61 * 60_000);
    const before = h.connector.requests.length;
    hold.release();
    return { pausedCard: await toldInThread(h, /Paused/, before), before };
  }

  const done = () => users.ids.filter((id) => h.graph.callCount('retryServiceProvisioning', id) === 1).length;

  it('pauses when the approver’s sign-in itself expired, and Resume continues with a new sign-in', async () => {
    const { pausedCard, before } = await pausedBySignInExpiry();
    expect(cardText(pausedCard.card)).toMatch(/sign-in expired/);
    expect(cardActions(pausedCard.card).map((a) => a.verb)).toEqual(['bulk-resume']);
    expect(done()).toBe(40);

    const login = await click(h, pausedCard, 'bulk-resume', PEOPLE.ada);
    expect(login.type).toBe('application/vnd.microsoft.activity.loginRequest');
    const resumed = await click(h, pausedCard, 'bulk-resume', PEOPLE.ada, h.ssoToken(PEOPLE.ada));
    expect(cardText(resumed.value)).toMatch(/Running/);
    const summary = await summaryPost(h, before);
    expect(cardText(summary.card)).toMatch(/45 of 45 accepted by Microsoft Graph/);
    for (const id of users.ids) expect(h.graph.callCount('retryServiceProvisioning', id)).toBe(1);
  });

  it('answers a Resume that Entra refuses as an approval would: consent explained, expiry asks for a sign-in', async () => {
    const { pausedCard, before } = await pausedBySignInExpiry();
    const writesBefore = h.graph.writes().length;

    h.entra.failNextTokenRequest(entraFaults.consentRequired());
    const refused = await click(h, pausedCard, 'bulk-resume', PEOPLE.ada, h.ssoToken(PEOPLE.ada));
    const text = cardText(refused.value);
    expect(text).toMatch(/Resume could not start: .*admin consent/);
    expect(text).toContain('AADSTS65001');
    expect(text).toMatch(/then resume again\. Nothing more was sent\./);

    h.entra.failNextTokenRequest({
      grantType: 'obo',
      status: 400,
      error: 'invalid_grant',
      code: 500133,
      description: 'Assertion is not within its valid time range.',
    });
    const expired = await click(h, pausedCard, 'bulk-resume', PEOPLE.ada, h.ssoToken(PEOPLE.ada));
    expect(expired.type).toBe('application/vnd.microsoft.activity.loginRequest');
    expect(
      oboRequests(h)
        .slice(-2)
        .map((r) => r.errorCode),
    ).toEqual([65001, 500133]);
    expect(h.graph.writes()).toHaveLength(writesBefore);
    expect(done()).toBe(40);

    const resumed = await click(h, pausedCard, 'bulk-resume', PEOPLE.ada, h.ssoToken(PEOPLE.ada));
    expect(cardText(resumed.value)).toMatch(/Running/);
    const summary = await summaryPost(h, before);
    expect(cardText(summary.card)).toMatch(/45 of 45 accepted by Microsoft Graph/);
    for (const id of users.ids) expect(h.graph.callCount('retryServiceProvisioning', id)).toBe(1);
  });
});
