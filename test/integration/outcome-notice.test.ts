import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONTOSO, teamsUserId } from '../fakes';
import { remediationId } from '../faults/fault-helpers';
import { cardText } from './card-helpers';
import { noticesMatching, summaryPost } from './bulk-helpers';
import { approve, click, command, outcomeNotice, outcomeReply } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/**
 * An outcome is shown once, on the card updated in place; the thread gets one short text line that
 * @mentions the people involved (Teams notifies them; an update notifies no one), with the outcome and the
 * remediation id `status` takes.
 */
let h: Harness;
let dir: string | undefined;
afterEach(async () => {
  await h?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const ALICE = 'retry-provisioning alice@contoso.com';
const mention = (p: { name: string; aadObjectId: string }) => ({
  text: `<at>${p.name}</at>`,
  id: teamsUserId(p),
  name: p.name,
});

/** The messages the bot posted after request index `from`, that carry a card. */
function cardsPostedSince(from: number) {
  return h.connector
    .sent()
    .filter((r) => h.connector.requests.indexOf(r) >= from)
    .filter((r) => ((r.body as { attachments?: unknown[] }).attachments ?? []).length > 0);
}

it('tells the thread in one line that @mentions the requester and the approver; the card holds the rest', async () => {
  h = await startHarness();
  const sent = await command(h, ALICE, PEOPLE.reggie);
  const rid = remediationId(sent);
  const from = h.connector.requests.length;
  await approve(h, sent, PEOPLE.ada);
  const word = 'Accepted by Microsoft Graph, verifying';
  const notice = await outcomeNotice(h, word);
  expect(notice.attachments).toBe(0);
  expect(notice.mentions).toEqual([mention(PEOPLE.reggie), mention(PEOPLE.ada)]);
  expect(notice.text).toBe(
    `<at>Reggie Requester</at> <at>Ada Admin</at> ${word}: Retry service provisioning for Alice Smith. Remediation ${rid}; its card has the details.`,
  );
  expect(cardsPostedSince(from)).toHaveLength(0);
  const card = cardText(await outcomeReply(h, word));
  expect(card.startsWith(word)).toBe(true);
  expect(card).toMatch(/request-id/);
});

it('mentions the requester and whoever rejected, after the card says Rejected with the reason', async () => {
  h = await startHarness();
  const sent = await command(h, ALICE, PEOPLE.reggie);
  const rid = remediationId(sent);
  const from = h.connector.requests.length;
  await click(h, sent, 'reject', PEOPLE.ada, undefined, { rid, reason: 'Ticket INC-42 says wait' });
  const notice = await outcomeNotice(h, 'Rejected');
  expect(notice.mentions).toEqual([mention(PEOPLE.reggie), mention(PEOPLE.ada)]);
  expect(notice.text).toContain(`Remediation ${rid}`);
  expect(notice.text).not.toContain('INC-42');
  expect(cardsPostedSince(from)).toHaveLength(0);
  expect(cardText(await outcomeReply(h, 'Rejected'))).toMatch(/Ticket INC-42 says wait/);
});

it('mentions a requester who approved their own request once', async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'policy-'));
  const file = path.join(dir, 'policy.yaml');
  writeFileSync(
    file,
    `default:\n  requesters: { users: [${CONTOSO.admins.ada}] }\n  approvers: { users: [${CONTOSO.admins.ada}] }\n  mode: self\n`,
  );
  h = await startHarness({ POLICY_FILE: file, ADMIN_USER_IDS: '' });
  const sent = await command(h, ALICE, PEOPLE.ada);
  await approve(h, sent, PEOPLE.ada);
  const notice = await outcomeNotice(h, 'Accepted by Microsoft Graph');
  expect(notice.mentions).toEqual([mention(PEOPLE.ada)]);
  expect(notice.text.match(/<at>/g)).toHaveLength(1);
});

it('tells the thread again in one line when verification settles the outcome', async () => {
  h = await startHarness();
  const sent = await command(h, ALICE, PEOPLE.reggie);
  const rid = remediationId(sent);
  await approve(h, sent, PEOPLE.ada);
  await outcomeNotice(h, 'Accepted by Microsoft Graph, verifying');
  await h.app.approvals.drain();
  const from = h.connector.requests.length;
  h.clock.advance(2 * 60_000);
  await h.app.verifier.runDue();
  const settled = await outcomeNotice(h, 'Resolved');
  expect(settled.mentions).toEqual([mention(PEOPLE.reggie), mention(PEOPLE.ada)]);
  expect(settled.text).toContain(`Remediation ${rid}`);
  expect(cardsPostedSince(from)).toHaveLength(0);
});

it('escapes a display name inside the mention, so the tag and the entity still match', async () => {
  h = await startHarness();
  const rnd = { ...PEOPLE.reggie, name: 'R&D <Ops> Reggie' };
  const sent = await command(h, ALICE, rnd);
  await approve(h, sent, PEOPLE.ada);
  const notice = await outcomeNotice(h, 'Accepted by Microsoft Graph');
  expect(notice.mentions[0]).toEqual({
    text: '<at>R&amp;D &lt;Ops&gt; Reggie</at>',
    id: teamsUserId(rnd),
    name: 'R&D <Ops> Reggie',
  });
});

it('tells the thread in one line when a bulk run ends; its card holds the summary', async () => {
  h = await startHarness();
  const sent = await command(h, `${ALICE} carol@contoso.com`, PEOPLE.reggie);
  const rid = remediationId(sent);
  const from = h.connector.requests.length;
  await approve(h, sent, PEOPLE.ada);
  const summary = await summaryPost(h, from);
  expect(cardText(summary.card)).toMatch(/of \d+ accepted by Microsoft Graph/);
  const [notice] = noticesMatching(h, new RegExp(`Remediation ${rid}`));
  expect(notice).toMatch(/^<at>Reggie Requester<\/at> <at>Ada Admin<\/at> Accepted by Microsoft Graph/);
  expect(cardsPostedSince(from)).toHaveLength(0);
});
