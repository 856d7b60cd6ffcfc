import { CONTOSO, type FailingUsers } from '../fakes';
import { startBulkHarness, summaryPost } from './bulk-helpers';
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
  // Named in the row, the object's id in its grey footnote.
  expect(history.filter((l) => l.startsWith('Alice Smith'))).toEqual([
    'Alice Smith (alice@contoso.com)',
    'Alice Smith (alice@contoso.com)',
  ]);
  expect(history.filter((l) => l.includes(`object ${CONTOSO.users.alice} · remediation `))).toHaveLength(2);
});

it('names a bulk remediation in history by its count and source, not by bare numbers', async () => {
  const sent = await command(h, 'retry-provisioning alice@contoso.com "Nobody Here"');
  const history = cardText((await command(h, 'history', PEOPLE.ada)).card).split('\n');
  const rid = remediationId(sent);
  const row = history.findIndex((l) => / · Requested · retry-provisioning$/.test(l));
  expect(history[row + 1]).toBe('1 target (2 users named, 1 skipped)');
  expect(history[row + 2]).toMatch(new RegExp(`remediation ${rid}$`));
});

/** What a card's body says: every text but the subtle footer's, rendered as Teams shows it. */
function bodyText(card: unknown): string {
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    const n = node as Record<string, unknown>;
    if (n.isSubtle === true) return null;
    return Object.fromEntries(Object.entries(n).map(([k, v]) => [k, strip(v)]));
  };
  return cardText(strip(card));
}

/** The lines of a card's body that match. */
const bodyLines = (card: unknown, re: RegExp) =>
  bodyText(card)
    .split('\n')
    .filter((l) => re.test(l));

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
/** An RFC 3339 time written out, not given to DATE()/TIME() for the viewer's own zone. */
const RAW_TIME = /(?<!\()\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

it.each([
  ['retry-provisioning alice@contoso.com', 'Accepted by Microsoft Graph'],
  ['reprocess-license "Alice Smith"', 'Accepted by Microsoft Graph'],
  ['reprocess-access-request --user alice@contoso.com', 'Accepted by Microsoft Graph'],
])('names things and leaves ids to the footer on every card of "%s"', async (typed, word) => {
  const sent = await command(h, typed);
  await approve(h, sent);
  const outcome = await outcomeReply(h, word);
  const status = (await command(h, `status ${remediationId(sent)}`, PEOPLE.ada)).card;
  const history = (await command(h, 'history', PEOPLE.ada)).card;
  for (const card of [sent.card, outcome, status, history]) {
    expect(bodyLines(card, GUID)).toEqual([]);
    expect(bodyLines(card, RAW_TIME)).toEqual([]);
  }
  // The ids are still on the card, for a support ticket: in the footer.
  expect(cardText(outcome)).toMatch(GUID);
});

it.each(['alice@contoso.com', `--request ${CONTOSO.requests.failed}`])(
  'diagnoses "%s" with names in the body and ids in the footer',
  async (target) => {
    const card = (await command(h, `diagnose ${target}`)).card;
    expect(bodyLines(card, GUID)).toEqual([]);
    expect(bodyLines(card, RAW_TIME)).toEqual([]);
    expect(cardText(card)).toMatch(GUID);
  },
);

it('names things and leaves ids to the footer on a bulk run, confirmation to summary', async () => {
  await h.close();
  let users: FailingUsers;
  ({ h, users } = await startBulkHarness(3));
  const upns = users.users.map((u) => u.userPrincipalName).join(' ');
  for (const typed of [`retry-provisioning ${upns}`, `reprocess-license ${upns}`]) {
    const confirmation = await command(h, typed, PEOPLE.reggie);
    await approve(h, confirmation, PEOPLE.ada);
    const summary = await summaryPost(h, h.connector.requests.length);
    for (const card of [confirmation.card, summary.card]) {
      expect(bodyLines(card, GUID)).toEqual([]);
      expect(bodyLines(card, RAW_TIME)).toEqual([]);
    }
  }
});
