import { CONTOSO, entraFaults } from '../fakes';
import { cardText } from '../integration/card-helpers';
import { approve, click, command, logEntries, outcomeReply } from '../integration/flows';
import { PEOPLE, startHarness, type Harness } from '../integration/harness';
import { signWebhook } from '../../src/features/notify/webhook';

jest.setTimeout(30_000);

/**
 * The logs of a full run (command → approve → outcome, a Graph failure, a refused token, a failed on-behalf-of
 * exchange, a signed webhook call) hold no token, secret or assertion the fakes issued or the bot was given,
 * are JSON lines, and carry each turn's correlation id into Graph's client-request-id, reads included.
 */
const WEBHOOK_SECRET = 'webhook-secret-never-logged-0123456789';
let h: Harness;
beforeEach(async () => {
  h = await startHarness({ NOTIFY_WEBHOOK_SECRET: WEBHOOK_SECRET });
});
afterEach(async () => {
  await h.close();
});

it('hold no token or secret, and follow each turn into Graph by correlation id', async () => {
  // Success path.
  const first = await command(h, 'retry-provisioning alice@contoso.com');
  expect(cardText((await approve(h, first)).value)).toMatch(/^Accepted by Microsoft Graph/);
  await outcomeReply(h, 'Accepted by Microsoft Graph');
  // Failure paths: a forged token, a consent failure, then a Graph 500 on the write.
  const second = await command(h, 'reprocess-license "Alice Smith"');
  await click(h, second, 'approve', PEOPLE.ada, h.ssoToken(PEOPLE.ada, { signWith: 'foreign' }));
  h.entra.failNextTokenRequest(entraFaults.consentRequired());
  await approve(h, second);
  h.graph.failNext({
    method: 'POST',
    path: /reprocessLicenseAssignment/,
    status: 500,
    code: 'E',
    message: 'boom',
  });
  await approve(h, second);
  await outcomeReply(h, 'Outcome unknown');
  // A signed webhook call and a forged one.
  const body = Buffer.from(
    JSON.stringify({ kind: 'license', targetId: 'alice@contoso.com', error: { code: 'E', message: 'm' } }),
  );
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = signWebhook(WEBHOOK_SECRET, ts, body);
  await h.app.notifications.webhook?.handle({ 'x-timestamp': ts, 'x-signature': signature }, body);
  await h.app.notifications.webhook?.handle({ 'x-timestamp': ts, 'x-signature': 'f'.repeat(64) }, body);
  await h.app.approvals.drain();
  await h.app.notifications.webhook?.drain();

  const raw = h.logs.join('');
  const secrets = [CONTOSO.clientSecret, WEBHOOK_SECRET, signature];
  expect(h.entra.issuedTokens.length).toBeGreaterThanOrEqual(5);
  for (const token of h.entra.issuedTokens) {
    expect(raw).not.toContain(token);
    expect(raw).not.toContain(token.split('.')[2]);
  }
  for (const secret of secrets) expect(raw).not.toContain(secret);
  expect(raw).not.toMatch(/eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/);

  const entries = logEntries(h);
  for (const e of entries) {
    expect(typeof e.level).toBe('number');
    expect(typeof e.msg).toBe('string');
  }
  // Every Graph request made inside a turn carries that turn's correlation id.
  const turnIds = new Set(
    entries.map((e) => e.correlationId).filter((id): id is string => typeof id === 'string'),
  );
  const inTurn = h.graph.requests.filter((r) => r.headers['client-request-id'] !== undefined);
  expect(inTurn.length).toBeGreaterThan(0);
  const lookups = h.graph.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/users'));
  expect(lookups.length).toBeGreaterThan(0);
  for (const r of [...lookups, ...h.graph.writes()])
    expect(turnIds).toContain(r.headers['client-request-id']);
});
