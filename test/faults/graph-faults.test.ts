import { CONTOSO, type GraphFault } from '../fakes';
import { cardActions, cardText } from '../integration/card-helpers';
import { approve, command, errorLogs, outcomeReply } from '../integration/flows';
import { PEOPLE, startHarness, type Harness } from '../integration/harness';
import { auditTimeline, remediationId } from './fault-helpers';

jest.setTimeout(30_000);

/**
 * Graph misbehaving on reads (the lookup behind a confirmation card) and on the remediation write. The
 * approval-security suite already covers a write 429 with Retry-After and a write 504; these fill the rest.
 * Backoff runs on the harness's manual clock: the delays are asserted, never waited for.
 */
let h: Harness;
beforeEach(async () => {
  h = await startHarness({ GRAPH_TIMEOUT_MS: '1000' });
});
afterEach(async () => {
  await h.close();
});

const ALICE = 'retry-provisioning alice@contoso.com';
const USER_READ = /^\/users\/alice@contoso\.com$/;

function fault(method: 'GET' | 'POST', status: number, extra: Partial<GraphFault> = {}): GraphFault {
  const path = method === 'GET' ? USER_READ : /retryServiceProvisioning/;
  return { method, path, status, code: `HTTP${status}`, message: `Injected ${status}.`, ...extra };
}

describe('reads retry with backoff', () => {
  it.each([
    ['429 without Retry-After', fault('GET', 429, { code: 'TooManyRequests' })],
    ['500', fault('GET', 500, { code: 'InternalServerError' })],
    ['502', fault('GET', 502, { code: 'BadGateway' })],
    ['503', fault('GET', 503, { code: 'ServiceUnavailable' })],
    ['504', fault('GET', 504, { code: 'GatewayTimeout' })],
    ['a reset connection', fault('GET', 0, { reset: true })],
  ])('a lookup answered %s twice is retried and the card still comes', async (_what, f) => {
    h.graph.failNext({ ...f, times: 2 });
    const sent = await command(h, ALICE);
    expect(cardActions(sent.card).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
    expect(cardText(sent.card)).toContain(CONTOSO.users.alice);
    const reads = h.graph.requests.filter((r) => r.method === 'GET' && USER_READ.test(r.path));
    expect(reads.map((r) => r.status)).toEqual([f.status, f.status, 200]);
    // Exponential backoff with equal jitter: retry n waits between half and all of 2^(n-1) seconds.
    expect(h.clock.sleeps).toHaveLength(2);
    expect(h.clock.sleeps[0]).toBeGreaterThanOrEqual(500);
    expect(h.clock.sleeps[0]).toBeLessThanOrEqual(1000);
    expect(h.clock.sleeps[1]).toBeGreaterThanOrEqual(1000);
    expect(h.clock.sleeps[1]).toBeLessThanOrEqual(2000);
    expect(errorLogs(h)).toEqual([]);
  });

  it('honours Retry-After on a read', async () => {
    h.graph.failNext(fault('GET', 429, { code: 'TooManyRequests', headers: { 'Retry-After': '7' } }));
    const sent = await command(h, ALICE);
    expect(cardActions(sent.card)).toHaveLength(3);
    expect(h.clock.sleeps).toEqual([7000]);
  });

  it('retries a read that is slower than the timeout, then answers', async () => {
    // The fake answers only after 20 s; the bot gives up on that attempt after GRAPH_TIMEOUT_MS (1 s).
    h.graph.failNext(fault('GET', 500, { delayMs: 20_000 }));
    const sent = await command(h, ALICE);
    expect(cardActions(sent.card)).toHaveLength(3);
    expect(h.clock.sleeps).toHaveLength(1);
  });

  it('retries a read whose body stalls after the headers, then answers', async () => {
    // Headers and half the body arrive at once; the rest never does. The attempt's timeout covers the body.
    h.graph.failNext(fault('GET', 200, { stallBody: true }));
    const sent = await command(h, ALICE);
    expect(cardActions(sent.card)).toHaveLength(3);
    const reads = h.graph.requests.filter((r) => r.method === 'GET' && USER_READ.test(r.path));
    expect(reads.map((r) => r.status)).toEqual([200, 200]);
    expect(h.clock.sleeps).toHaveLength(1);
  });

  it('gives up after four attempts with a card that says Graph failed, and offers no button', async () => {
    h.graph.failNext({ ...fault('GET', 503, { code: 'ServiceUnavailable' }), times: 10 });
    const sent = await command(h, ALICE);
    expect(cardActions(sent.card)).toHaveLength(0);
    expect(cardText(sent.card)).toMatch(/Graph/);
    expect(cardText(sent.card)).toMatch(/503/);
    expect(h.graph.requests.filter((r) => USER_READ.test(r.path))).toHaveLength(4);
    expect(h.graph.writes()).toHaveLength(0);
  });
});

describe('the remediation write', () => {
  async function approveAndWait(outcome: 'Accepted by Microsoft Graph' | 'Failed' | 'Outcome unknown') {
    const sent = await command(h, ALICE);
    const rid = remediationId(sent);
    const clicked = await approve(h, sent);
    const reply = await outcomeReply(h, outcome);
    await h.app.approvals.drain();
    return { sent, rid, clicked: cardText(clicked.value), reply: cardText(reply) };
  }

  it.each([
    ['429 without Retry-After', fault('POST', 429, { code: 'TooManyRequests' })],
    ['503', fault('POST', 503, { code: 'ServiceUnavailable' })],
  ])('is retried after %s (Graph did not run it) and runs once', async (_what, f) => {
    h.graph.failNext(f);
    const run = await approveAndWait('Accepted by Microsoft Graph');
    expect(run.reply).toMatch(/^Accepted by Microsoft Graph/);
    expect(h.graph.writes().map((w) => w.status)).toEqual([f.status, 204]);
    expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
    expect(h.clock.sleeps).toHaveLength(1);
    const timeline = await auditTimeline(h, run.rid);
    expect(timeline).toMatch(/Approved/);
    expect(timeline).toMatch(/Accepted by Graph/);
  });

  it.each([
    [
      '500',
      fault('POST', 500, { code: 'InternalServerError' }),
      /answered 500.*may or may not have been made/s,
    ],
    ['502', fault('POST', 502, { code: 'BadGateway' }), /answered 502.*may or may not have been made/s],
    [
      'a reset connection',
      fault('POST', 0, { reset: true }),
      /connection to Microsoft Graph failed before it answered, so the outcome is unknown/,
    ],
  ])('is not retried after %s: Outcome unknown, never Failed, recorded so', async (_what, f, explanation) => {
    h.graph.failNext(f);
    const run = await approveAndWait('Outcome unknown');
    for (const text of [run.clicked, run.reply]) {
      expect(text).toMatch(/^Outcome unknown/);
      expect(text).not.toMatch(/Failed/);
      expect(text).toMatch(explanation);
      expect(text).toMatch(/check the target in Entra/i);
    }
    expect(h.graph.writes().map((w) => w.status)).toEqual([f.status]);
    expect(h.graph.callCount('retryServiceProvisioning')).toBe(0);
    expect(h.clock.sleeps).toEqual([]);
    const status = await auditTimeline(h, run.rid);
    expect(status).toMatch(/^Outcome unknown/);
    expect(status).toMatch(/Approved/);
    expect(status).toMatch(/Outcome unknown · by Ada Admin/);
    expect(status).not.toMatch(/Failed/);
    const history = cardText((await command(h, 'history', PEOPLE.ada)).card);
    expect(history).toMatch(/Outcome unknown · retry-provisioning/);
    // A run whose outcome is unknown cannot be approved again from the same card.
    const again = await approve(h, run.sent);
    expect(cardText(again.value)).toMatch(/^Outcome unknown/);
    expect(h.graph.writes()).toHaveLength(1);
  });

  it('stops after four throttled attempts and says nothing ran', async () => {
    h.graph.failNext({ ...fault('POST', 429, { code: 'TooManyRequests' }), times: 10 });
    const run = await approveAndWait('Failed');
    expect(run.reply).toMatch(/throttling.*Nothing ran/s);
    expect(h.graph.writes().map((w) => w.status)).toEqual([429, 429, 429, 429]);
    expect(h.graph.callCount('retryServiceProvisioning')).toBe(0);
    expect(await auditTimeline(h, run.rid)).toMatch(/Failed · by Ada Admin · TooManyRequests/);
  });

  it('does not wait out a Retry-After longer than a minute: fails at once, nothing ran', async () => {
    h.graph.failNext(fault('POST', 429, { code: 'TooManyRequests', headers: { 'Retry-After': '3600' } }));
    const run = await approveAndWait('Failed');
    expect(run.reply).toMatch(/throttling.*Nothing ran/s);
    expect(h.clock.sleeps).toEqual([]);
    expect(h.graph.writes()).toHaveLength(1);
  });

  it('gives up on a write slower than the timeout without retrying, and the late answer runs it only once', async () => {
    const hold = h.graph.hold(/retryServiceProvisioning/, { method: 'POST' });
    let released = false;
    try {
      const run = await approveAndWait('Outcome unknown');
      expect(run.reply).toMatch(/^Outcome unknown/);
      expect(run.clicked).toMatch(/^Outcome unknown/);
      expect(run.reply).toMatch(/did not answer in time, so the outcome is unknown/);
      expect(run.reply).toMatch(/check the target in Entra/i);
      expect(hold.waiting).toBe(1);
      hold.release();
      released = true;
      await h.graph.waitForRequest((r) => r.method === 'POST');
      expect(h.graph.attemptCount('retryServiceProvisioning')).toBe(1);
      expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
      const timeline = await auditTimeline(h, run.rid);
      expect(timeline).toMatch(/Approved/);
      expect(timeline).toMatch(/^Outcome unknown/);
      expect(timeline).toMatch(/Outcome unknown · by Ada Admin · Timeout/);
      expect(timeline).not.toMatch(/Failed/);
    } finally {
      if (!released) hold.release();
    }
  });
});
