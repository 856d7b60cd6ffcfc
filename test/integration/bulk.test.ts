import { cardActions, cardText } from './card-helpers';
import { asSent } from './notifications-helpers';
import { approve, click, command } from './flows';
import { PEOPLE, type Harness } from './harness';
import {
  batchedWrites,
  headline,
  invokeCard,
  requestAndApprove,
  startBulkHarness,
  summaryPost,
} from './bulk-helpers';
import { CONTOSO, type FailingUsers } from '../fakes';

describe('bulk remediation: several targets, one approval, JSON batches', () => {
  let h: Harness;
  let users: FailingUsers;

  beforeEach(async () => {
    ({ h, users } = await startBulkHarness(45));
  });
  afterEach(async () => {
    await h.close();
  });

  it('lists the targets and the skipped names on one confirmation, and runs them all with one approval', async () => {
    const [u1, u2, u3] = users.users;
    const text = `retry-provisioning ${u1?.userPrincipalName} ${u2?.id} ${u3?.userPrincipalName} nobody@contoso.com bob@contoso.com ${u1?.id}`;
    const confirmation = await command(h, text, PEOPLE.reggie);
    const shown = cardText(confirmation.card);
    expect(shown).toMatch(/retry-provisioning for 3 users/);
    expect(shown).toMatch(/Targets \(3\)/);
    for (const u of [u1, u2, u3]) expect(shown).toContain(u?.userPrincipalName);
    expect(shown).toMatch(/Skipped: not part of this run \(3\)/);
    expect(shown).toMatch(/nobody@contoso\.com: No user matches/);
    expect(shown).toMatch(/bob@contoso\.com: Bob Jones has no unresolved service provisioning errors/);
    expect(shown).toMatch(/The same object as/);
    expect(cardActions(confirmation.card).find((a) => a.verb === 'approve')?.title).toBe('Approve all 3');

    const answer = await approve(h, confirmation, PEOPLE.ada);
    expect(headline(invokeCard(answer))).toMatch(/Running/);
    const summary = await summaryPost(h);
    expect(headline(summary.card)).toBe('Accepted by Microsoft Graph, verifying');
    expect(cardText(summary.card)).toMatch(/3 of 3 accepted by Microsoft Graph/);
    for (const u of [u1, u2, u3]) {
      expect(h.graph.callCount('retryServiceProvisioning', u?.id)).toBe(1);
    }
    expect(h.graph.callCount('retryServiceProvisioning')).toBe(3);
    const writes = batchedWrites(h);
    expect(writes).toHaveLength(3);
    expect(new Set(writes.map((w) => w.batchId)).size).toBe(1);
    const envelope = h.graph.requests.find((r) => r.path === '/$batch');
    expect(envelope?.version).toBe('v1.0');
    expect(envelope?.token?.oid).toBe(CONTOSO.admins.ada);
    expect(writes.every((w) => w.token?.oid === CONTOSO.admins.ada)).toBe(true);
  });

  it('keeps the approval policy: the requester cannot approve their own bulk request (four-eyes)', async () => {
    const [u1, u2] = users.users;
    const confirmation = await command(h, `retry-provisioning ${u1?.id} ${u2?.id}`, PEOPLE.reggie);
    const refused = await click(h, confirmation, 'approve', PEOPLE.reggie, h.ssoToken(PEOPLE.reggie));
    expect(cardText(invokeCard(refused))).toMatch(/four-eyes/);
    expect(h.graph.writes()).toHaveLength(0);
    const trail = await command(h, 'history', PEOPLE.ada);
    expect(cardText(trail.card)).toMatch(/retry-provisioning/);
  });

  it('refuses ambiguous display names in bulk, and says how to name the targets', async () => {
    const { card } = await command(h, 'retry-provisioning "Sam Lee" alice@contoso.com', PEOPLE.reggie);
    expect(cardText(card)).toMatch(/Ambiguous names/);
    expect(cardText(card)).toMatch(/"Sam Lee" \(2 matches\)/);
    expect(cardText(card)).toMatch(/object id or UPN/);
    expect(cardActions(card).map((a) => a.verb)).not.toContain('approve');
  });

  it('--group takes the members with the failure (retry-provisioning) and lists the first 20 and a count', async () => {
    const { confirmation } = await requestAndApprove(
      h,
      `retry-provisioning --group "${users.group.displayName}"`,
    );
    const shown = cardText(confirmation.card);
    expect(shown).toMatch(/retry-provisioning for 45 users/);
    expect(shown).toMatch(/… and 25 more targets/);
    const summary = await summaryPost(h);
    expect(cardText(summary.card)).toMatch(/45 of 45 accepted by Microsoft Graph/);
    for (const id of users.ids) expect(h.graph.callCount('retryServiceProvisioning', id)).toBe(1);
    expect(h.graph.requests.some((r) => r.path.endsWith('/members/microsoft.graph.user'))).toBe(true);
    expect(new Set(batchedWrites(h).map((w) => w.batchId)).size).toBe(3);
  });

  it('--group for reprocess-license reads /groups/{id}/membersWithLicenseErrors', async () => {
    const { confirmation } = await requestAndApprove(h, `reprocess-license --group ${users.group.id}`);
    const shown = cardText(confirmation.card);
    expect(shown).toMatch(/reprocess-license for 45 users/);
    // Each member's failing licence by product and group name, as on a one-user confirmation.
    expect(shown).toContain(
      `ENTERPRISEPREMIUM: Error (CountViolation), from group ${users.group.displayName}`,
    );
    expect(shown).not.toContain('c7df2760-2c81-4ef7-b578-5b5392b571df');
    await summaryPost(h);
    expect(
      h.graph.requests.some((r) => r.path === `/groups/${users.group.id}/membersWithLicenseErrors`),
    ).toBe(true);
    for (const id of users.ids) expect(h.graph.callCount('reprocessLicenseAssignment', id)).toBe(1);
  });

  it('lists failures first on the summary, and Retry failed prepares a new bulk request for them only', async () => {
    const [u1, u2, u3] = users.users;
    h.graph.failNext({
      path: `/users/${u2?.id}/retryServiceProvisioning`,
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    await requestAndApprove(h, `retry-provisioning ${u1?.id} ${u2?.id} ${u3?.id}`);
    const summary = await summaryPost(h);
    expect(headline(summary.card)).toBe('Finished with failures');
    const lines = cardText(summary.card)
      .split('\n')
      .filter((l) => /^[✗✓?] /.test(l));
    expect(lines[0]).toMatch(new RegExp(`^✗ ${u2?.displayName}`));
    expect(lines.slice(1).every((l) => l.startsWith('✓'))).toBe(true);
    const retryButton = cardActions(summary.card).find((a) => a.verb === 'bulk-retry');
    expect(retryButton?.title).toBe('Retry failed (1)');

    const before = h.connector.requests.length;
    const answer = await click(h, summary, 'bulk-retry', PEOPLE.reggie);
    expect(cardText(invokeCard(answer))).toMatch(/A new request for the 1 failed target was posted below/);
    const posted = await h.connector.waitFor(
      (r) =>
        r.kind === 'send' &&
        h.connector.requests.indexOf(r) >= before &&
        /Approval needed/.test(JSON.stringify(r.body)),
    );
    const again = await click(h, summary, 'bulk-retry', PEOPLE.reggie);
    expect(cardText(invokeCard(again))).toMatch(/already requested/);

    const retryCard = asSent(posted);
    expect(cardText(retryCard.card)).toMatch(/retry-provisioning for 1 user/);
    expect(cardText(retryCard.card)).toContain(u2?.userPrincipalName);
    expect(h.graph.callCount('retryServiceProvisioning', u2?.id)).toBe(0);
    const after = h.connector.requests.length;
    await approve(h, retryCard, PEOPLE.ada);
    const second = await summaryPost(h, after);
    expect(cardText(second.card)).toMatch(/1 of 1 accepted by Microsoft Graph/);
    expect(h.graph.callCount('retryServiceProvisioning', u2?.id)).toBe(1);
    expect(h.graph.callCount('retryServiceProvisioning', u1?.id)).toBe(1);
  });

  it('serves Retry failed from any thread of the run’s channel, and refuses it from another channel', async () => {
    const [u1, u2] = users.users;
    h.graph.failNext({
      path: `/users/${u2?.id}/retryServiceProvisioning`,
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    await requestAndApprove(h, `retry-provisioning ${u1?.id} ${u2?.id}`);
    const summary = await summaryPost(h);
    const channel = summary.conversationId.split(';')[0] ?? '';
    expect(channel).toMatch(/@thread\.tacv2$/);

    const foreign = await click(
      h,
      { ...summary, conversationId: '19:otherchannel@thread.tacv2;messageid=1700000000999' },
      'bulk-retry',
      PEOPLE.reggie,
    );
    expect(foreign).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message' });
    expect(String(foreign.value)).toMatch(/^This card belongs to another conversation/);

    const otherThread = await click(
      h,
      { ...summary, conversationId: `${channel};messageid=1700000000999` },
      'bulk-retry',
      PEOPLE.reggie,
    );
    expect(cardText(invokeCard(otherThread))).toMatch(
      /A new request for the 1 failed target was posted below/,
    );
  });
});
