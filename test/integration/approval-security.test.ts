import { CONTOSO, entraFaults, type TeamsUser } from '../fakes';
import { attachedCard, cardActions, cardText } from './card-helpers';
import {
  approve,
  click,
  command,
  logEntries,
  oboRequests,
  outcomeReply,
  teamsClient,
  type InvokeBody,
  type Sent,
} from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

let h: Harness;
afterEach(async () => {
  await h.close();
});

/** Starts a fresh harness before each test of the enclosing describe. */
function withHarness(env: Parameters<typeof startHarness>[0] = {}): void {
  beforeEach(async () => {
    h = await startHarness(env);
  });
}

const ALICE = 'retry-provisioning alice@contoso.com';
const JWT = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;

/** The confirmation card is still pending: it still offers Approve and Cancel. */
function expectStillPending(body: InvokeBody): void {
  expect(body.statusCode).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(cardActions(body.value).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
}

/** A proper approval by Ada still runs the remediation exactly once. */
async function expectApprovable(sent: Sent): Promise<void> {
  const done = await approve(h, sent);
  expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
  expect(h.graph.writes()).toHaveLength(1);
  expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
}

describe('SSO tokens that must not approve', () => {
  withHarness();

  interface RefusedCase {
    what: string;
    clicker: TeamsUser;
    token: () => string;
    reason: RegExp;
  }

  const CASES: RefusedCase[] = [
    {
      what: "Ada's token on Nora's click",
      clicker: PEOPLE.nora,
      token: () => h.ssoToken(PEOPLE.ada),
      reason: /belongs to someone other than the person who clicked/,
    },
    {
      what: 'a token signed with a key Entra does not publish',
      clicker: PEOPLE.ada,
      token: () => h.ssoToken(PEOPLE.ada, { signWith: 'foreign' }),
      reason: /bad signature/,
    },
    {
      what: 'a token for another audience',
      clicker: PEOPLE.ada,
      token: () => h.ssoToken(PEOPLE.ada, { audience: 'api://botid-00000000-0000-4000-8000-0000000000ee' }),
      reason: /"aud"/,
    },
    {
      what: 'a token from a tenant that is not allowed',
      clicker: PEOPLE.ada,
      token: () => h.ssoToken(PEOPLE.ada, { tenantId: CONTOSO.foreignTenantId }),
      reason: new RegExp(`tenant ${CONTOSO.foreignTenantId} is not allowed`),
    },
  ];

  it.each(CASES)('refuses $what with a notice, runs nothing and stays pending', async (c) => {
    const sent = await command(h, ALICE);
    const token = c.token();
    const refused = await click(h, sent, 'approve', c.clicker, token);
    expectStillPending(refused);
    const text = cardText(refused.value);
    expect(text).toMatch(/Approval refused/);
    expect(text).toMatch(c.reason);
    expect(text).toMatch(/Nothing was run/);
    expect(text).not.toContain(token);
    expect(h.graph.writes()).toHaveLength(0);
    expect(oboRequests(h)).toHaveLength(0);

    await expectApprovable(sent);
  });

  it.each([
    ['issued already expired an hour ago', -3600],
    ['that expired a minute ago', -60],
  ])('answers a token %s with a fresh loginRequest and runs nothing', async (_what, expiresInSec) => {
    const sent = await command(h, ALICE);
    const expired = await click(h, sent, 'approve', PEOPLE.ada, h.ssoToken(PEOPLE.ada, { expiresInSec }));
    expect(expired.statusCode).toBe(401);
    expect(expired.type).toBe('application/vnd.microsoft.activity.loginRequest');
    expect(expired.value).toMatchObject({
      tokenExchangeResource: { uri: `api://botid-${CONTOSO.clientId}` },
    });
    expect(h.graph.writes()).toHaveLength(0);
    expect(oboRequests(h)).toHaveLength(0);

    await expectApprovable(sent);
  });

  it('answers a loginRequest once the clock passes the token expiry, then accepts a fresh token', async () => {
    const sent = await command(h, ALICE);
    const token = h.ssoToken(PEOPLE.ada, { expiresInSec: 3600 });
    h.clock.advance(2 * 3600 * 1000);
    const expired = await click(h, sent, 'approve', PEOPLE.ada, token);
    expect(expired.statusCode).toBe(401);
    expect(expired.type).toBe('application/vnd.microsoft.activity.loginRequest');
    expect(h.graph.writes()).toHaveLength(0);
    expect(oboRequests(h)).toHaveLength(0);

    await expectApprovable(sent);
  });
});

describe('on-behalf-of exchange failures', () => {
  withHarness();

  it('explains missing admin consent (AADSTS65001), runs nothing and stays pending', async () => {
    const fault = entraFaults.consentRequired();
    expect(fault.grantType).toBe('obo');
    h.entra.failNextTokenRequest(fault);
    const sent = await command(h, ALICE);

    const refused = await approve(h, sent);
    expectStillPending(refused);
    const text = cardText(refused.value);
    expect(text).toMatch(/admin consent/);
    expect(text).toContain('AADSTS65001');
    expect(text).toMatch(/Nothing was run/);
    expect(oboRequests(h).map((r) => r.errorCode)).toEqual([65001]);
    expect(h.graph.writes()).toHaveLength(0);

    await expectApprovable(sent);
  });

  it('tells the approver to sign in again on invalid_grant, runs nothing and stays pending', async () => {
    const fault = entraFaults.invalidGrant();
    expect(fault.grantType).toBe('obo');
    h.entra.failNextTokenRequest(fault);
    const sent = await command(h, ALICE);

    const refused = await approve(h, sent);
    expectStillPending(refused);
    const text = cardText(refused.value);
    expect(text).toMatch(/sign (out of Teams and back in|in again)/i);
    expect(text).toContain('AADSTS50013');
    expect(text).toMatch(/Nothing was run/);
    expect(oboRequests(h).map((r) => r.errorCode)).toEqual([50013]);
    expect(h.graph.writes()).toHaveLength(0);

    await expectApprovable(sent);
  });
});

describe('activities from a tenant that is not allowed', () => {
  withHarness();

  it('ignores a message: no reply and no lookup, while an allowed message right after is answered', async () => {
    const foreign = teamsClient(h, { tenantId: CONTOSO.foreignTenantId });
    const ignored = await foreign.message({ from: PEOPLE.ada, text: ALICE });
    expect(ignored.status).toBeLessThan(300);

    const answered = await command(h, 'help');
    expect(cardText(answered.card)).toContain('retry-provisioning');
    // The foreign turn finished before its POST returned; anything it sent would be recorded by now.
    expect(h.connector.requests.filter((r) => r.activityId === String(ignored.activity.id))).toHaveLength(0);
    expect(h.connector.requests).toHaveLength(1);
    expect(h.graph.requests).toHaveLength(0);
  });

  it('answers a card click with a message and runs nothing', async () => {
    const sent = await command(h, ALICE);
    const foreign = teamsClient(h, { tenantId: CONTOSO.foreignTenantId });
    const res = await foreign.invoke({
      from: PEOPLE.ada,
      conversationId: sent.conversationId,
      replyToId: sent.cardId,
      verb: 'approve',
      data: cardActions(sent.card)[0]?.data ?? {},
      token: h.ssoToken(PEOPLE.ada, { tenantId: CONTOSO.foreignTenantId }),
    });
    expect(res.status).toBe(200);
    const body = res.body as InvokeBody;
    expect(body.statusCode).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(body.value)).toMatch(/not available to your organisation/);
    expect(oboRequests(h)).toHaveLength(0);
    expect(h.graph.writes()).toHaveLength(0);

    await expectApprovable(sent);
  });
});

describe('a slow Graph', () => {
  withHarness({ INVOKE_DEADLINE_MS: '50' });

  it('answers Running within the deadline, then updates the card and replies once Graph answers', async () => {
    const sent = await command(h, ALICE);
    const hold = h.graph.hold(/retryServiceProvisioning/);
    try {
      const running = await approve(h, sent);
      expect(running.statusCode).toBe(200);
      expect(cardText(running.value)).toMatch(/^Running/);
      await hold.waitForArrival();

      const again = await approve(h, sent);
      expect(cardText(again.value)).toMatch(/^Running/);
    } finally {
      hold.release();
    }

    const update = await h.connector.waitFor(
      (r) =>
        r.kind === 'update' &&
        r.activityId === sent.cardId &&
        /^Accepted by Microsoft Graph/.test(cardText(attachedCard(r))),
    );
    expect(cardText(attachedCard(update))).toMatch(/approved by Ada Admin/);
    const reply = await outcomeReply(h, 'Accepted by Microsoft Graph');
    expect(cardText(reply)).toMatch(/^Accepted by Microsoft Graph/);
    expect(h.graph.writes()).toHaveLength(1);
    expect(h.graph.attemptCount('retryServiceProvisioning')).toBe(1);
    expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
  });
});

describe('Graph errors on the write', () => {
  withHarness();

  it('retries a 429 after Retry-After and succeeds once', async () => {
    h.graph.failNext({
      method: 'POST',
      path: /retryServiceProvisioning/,
      status: 429,
      code: 'TooManyRequests',
      message: 'Too many requests.',
      headers: { 'Retry-After': '0' },
      times: 1,
    });
    const sent = await command(h, ALICE);
    await approve(h, sent);
    const reply = await outcomeReply(h, 'Accepted by Microsoft Graph');
    expect(cardText(reply)).toMatch(/^Accepted by Microsoft Graph/);
    expect(h.graph.writes().map((w) => w.status)).toEqual([429, 204]);
    expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
  });

  it('does not retry a 504 and says the outcome is unknown', async () => {
    h.graph.failNext({
      method: 'POST',
      path: /retryServiceProvisioning/,
      status: 504,
      code: 'GatewayTimeout',
      message: 'The gateway did not receive a timely response.',
    });
    const sent = await command(h, ALICE);
    const done = await approve(h, sent);
    const reply = await outcomeReply(h, 'Outcome unknown');
    for (const card of [done.value, reply]) {
      const text = cardText(card);
      expect(text).toMatch(/^Outcome unknown/);
      expect(text).toMatch(/may or may not have been made, so the outcome is unknown/);
      expect(text).toMatch(/check the target in Entra/i);
      expect(text).not.toMatch(/Nothing ran/);
      expect(text).toContain('504');
    }
    expect(h.graph.writes().map((w) => w.status)).toEqual([504]);
    expect(h.graph.callCount('retryServiceProvisioning')).toBe(0);
  });
});

describe('logs', () => {
  withHarness();

  it('are JSON lines with correlation ids, and hold no token or secret', async () => {
    const sent = await command(h, ALICE);
    const foreignSigned = h.ssoToken(PEOPLE.ada, { signWith: 'foreign' });
    expectStillPending(await click(h, sent, 'approve', PEOPLE.ada, foreignSigned));
    h.entra.failNextTokenRequest(entraFaults.consentRequired());
    const consentToken = h.ssoToken(PEOPLE.ada);
    expectStillPending(await click(h, sent, 'approve', PEOPLE.ada, consentToken));
    const ssoToken = h.ssoToken(PEOPLE.ada);
    const done = await click(h, sent, 'approve', PEOPLE.ada, ssoToken);
    expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
    await outcomeReply(h, 'Accepted by Microsoft Graph');
    await h.app.approvals.drain();

    const raw = h.logs.join('');
    for (const token of [foreignSigned, consentToken, ssoToken]) {
      expect(raw).not.toContain(token);
      expect(raw).not.toContain(token.split('.')[2]);
    }
    expect(raw).not.toContain(CONTOSO.clientSecret);
    // Graph access tokens (app-only and on-behalf-of) are JWTs too; none may appear in any form.
    expect(raw).not.toMatch(JWT);
    expect(oboRequests(h).filter((r) => r.status === 200)).toHaveLength(1);

    const entries = logEntries(h);
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(typeof e.level).toBe('number');
      expect(typeof e.msg).toBe('string');
    }
    const byMsg = (msg: string) => entries.filter((e) => e.msg === msg);
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

    const [parsed] = byMsg('command parsed');
    const [confirmed] = byMsg('confirmation sent');
    expect(parsed?.correlationId).toMatch(uuid);
    expect(confirmed?.correlationId).toBe(parsed?.correlationId);

    const [approved] = byMsg('remediation approved; running');
    const [finished] = byMsg('remediation finished');
    expect(approved?.correlationId).toMatch(uuid);
    expect(approved?.correlationId).not.toBe(parsed?.correlationId);
    expect(finished?.correlationId).toBe(approved?.correlationId);
    expect(byMsg('sso token refused')[0]?.correlationId).toMatch(uuid);
    expect(byMsg('on-behalf-of exchange failed')[0]?.correlationId).toMatch(uuid);

    // The approval's correlation id follows the write into Graph, so both sides' logs can be joined.
    const write = h.graph.writes()[0];
    expect(write?.headers['client-request-id']).toBe(approved?.correlationId);
  });
});
