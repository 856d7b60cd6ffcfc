import { CONTOSO } from '../fakes';
import { remediationId } from '../faults/fault-helpers';
import { cardText } from './card-helpers';
import { approve, click, command, outcomeReply } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/** What a person reads on the cards of a whole flow: each fact once, whole sentences, one row each. */
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const rowsOf = (text: string, title: string) => text.split('\n').filter((l) => l === title).length;

it('shows the licence assignments once on the outcome, as read after the reprocess', async () => {
  const sent = await command(h, 'reprocess-license "Alice Smith"');
  expect(rowsOf(cardText(sent.card), 'Licence assignments')).toBe(1);
  await approve(h, sent);
  const outcome = cardText(await outcomeReply(h, 'Accepted by Microsoft Graph'));
  expect(rowsOf(outcome, 'Licence assignments')).toBe(1);
  expect(outcome).toMatch(/Licence assignments\n2\n/);
});

it.each([
  ['Ticket INC-42 says wait', 'Rejected: Ticket INC-42 says wait. Nothing was changed.'],
  ['Not during the freeze!', 'Rejected: Not during the freeze! Nothing was changed.'],
  ['See INC-42 (wait).', 'Rejected: See INC-42 (wait). Nothing was changed.'],
])('ends the reject reason "%s" as a sentence', async (reason, says) => {
  const sent = await command(h, 'retry-provisioning alice@contoso.com');
  const rid = remediationId(sent);
  const body = await click(h, sent, 'reject', PEOPLE.ada, undefined, { rid, reason });
  expect(cardText(body.value).split('\n')).toContain(says);
});

it('lists a remediation once in history, where it stands, named by its target', async () => {
  const done = await command(h, 'reprocess-license "Alice Smith"');
  await approve(h, done);
  await outcomeReply(h, 'Accepted by Microsoft Graph');
  const pending = await command(h, 'retry-provisioning alice@contoso.com');
  const history = cardText((await command(h, 'history', PEOPLE.ada)).card).split('\n');
  const rows = (rid: string) => history.filter((l) => l.endsWith(`remediation ${rid}`));
  expect(rows(remediationId(done))).toHaveLength(1);
  expect(rows(remediationId(pending))).toHaveLength(1);
  expect(history.filter((l) => / · (Requested|Approved|Accepted by Graph) · /.test(l))).toEqual([
    expect.stringMatching(/ · Requested · retry-provisioning$/),
    expect.stringMatching(/ · Accepted by Graph · reprocess-license$/),
  ]);
  const target = `Alice Smith (alice@contoso.com) · ${CONTOSO.users.alice}`;
  expect(history.filter((l) => l.startsWith('Alice Smith'))).toEqual([target, target]);
});

it('names a bulk remediation in history by its count and source, not by bare numbers', async () => {
  const sent = await command(h, 'retry-provisioning alice@contoso.com "Nobody Here"');
  const history = cardText((await command(h, 'history', PEOPLE.ada)).card).split('\n');
  const rid = remediationId(sent);
  const row = history.findIndex((l) => / · Requested · retry-provisioning$/.test(l));
  expect(history[row + 1]).toBe('1 target (2 users named, 1 skipped)');
  expect(history[row + 2]).toMatch(new RegExp(`remediation ${rid}$`));
});
