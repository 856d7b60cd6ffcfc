import { cardActions, cardText } from '../integration/card-helpers';
import { approve, command, oboRequests } from '../integration/flows';
import { startHarness, type Harness } from '../integration/harness';

jest.setTimeout(30_000);

/**
 * Microsoft Entra unreachable (its server closed: connections are refused). invalid_grant and AADSTS65001 are
 * covered in test/integration/approval-security.test.ts; this fills in the unreachable authority, both before
 * the SSO token can be checked and during the on-behalf-of exchange.
 */
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function expectStillPending(value: Record<string, unknown>): void {
  expect(cardActions(value).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
}

it('refuses an approval whose token cannot be checked: clear card, nothing ran, still pending', async () => {
  const sent = await command(h, 'retry-provisioning alice@contoso.com');
  await h.entra.close();
  const refused = await approve(h, sent);
  expect(refused.statusCode).toBe(200);
  expectStillPending(refused.value);
  const text = cardText(refused.value);
  expect(text).toMatch(/sign-in authority could not be reached/);
  expect(text).toMatch(/Nothing was run/);
  expect(h.graph.writes()).toHaveLength(0);
});

it('explains an on-behalf-of exchange that cannot reach Entra: clear card, no crash, still pending', async () => {
  const first = await command(h, 'retry-provisioning alice@contoso.com');
  const second = await command(h, 'reprocess-license "Alice Smith"');
  // A first approval loads Entra's signing keys, so the next token is checked offline.
  expect(cardText((await approve(h, first)).value)).toMatch(/^Accepted by Microsoft Graph/);
  await h.app.approvals.drain();
  await h.entra.close();

  const refused = await approve(h, second);
  expect(refused.statusCode).toBe(200);
  expectStillPending(refused.value);
  const text = cardText(refused.value);
  expect(text).toMatch(/Microsoft Entra could not be reached\. Try again in a minute\. Nothing was run\./);
  expect(oboRequests(h)).toHaveLength(1);
  expect(h.graph.writes()).toHaveLength(1);

  // The bot keeps answering.
  const help = await command(h, 'help');
  expect(cardText(help.card)).toContain('retry-provisioning');
});
