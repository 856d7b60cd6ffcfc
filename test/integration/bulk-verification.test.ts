import type { FailingUsers } from '../fakes';
import { attachedCard, cardText } from './card-helpers';
import { command } from './flows';
import { PEOPLE, type Harness } from './harness';
import {
  headline,
  noticesMatching,
  requestAndApprove,
  startBulkHarness,
  summaryPost,
  toldInThread,
} from './bulk-helpers';

jest.setTimeout(30_000);

/**
 * A bulk run is verified like a single remediation, per target: its summary says how many Graph accepted,
 * each check re-reads the accepted targets not yet resolved, and the card ends Resolved or Still failing with
 * resolved / still failing / not verified counts. Time moves on the harness's manual clock.
 */
const MINUTE = 60_000;
let h: Harness;
let users: FailingUsers;

beforeEach(async () => {
  ({ h, users } = await startBulkHarness(3));
});
afterEach(async () => {
  await h.close();
});

async function after(ms: number): Promise<void> {
  h.clock.advance(ms);
  await h.app.verifier.runDue();
}

/** Runs retry-provisioning for the three users and waits for its summary. */
async function acceptedRun(): Promise<{ acceptedAt: number; summary: string }> {
  const text = `retry-provisioning ${users.users.map((u) => u.userPrincipalName).join(' ')}`;
  await requestAndApprove(h, text);
  const summary = await summaryPost(h);
  await h.app.bulk.drain();
  expect(headline(summary.card)).toBe('Accepted by Microsoft Graph, verifying');
  return { acceptedAt: h.clock.now(), summary: cardText(summary.card) };
}

/** The app-only reads of one user's errors after `since`: the verifier's. */
function readsOf(id: string, since: number) {
  return h.graph.requests.filter((r) => r.method === 'GET' && r.path === `/users/${id}` && r.at > since);
}

function latestUpdate(): string {
  return cardText(attachedCard(h.connector.updates().at(-1)!));
}

it('says how many Graph accepted and that it will verify them, never Succeeded', async () => {
  const { summary } = await acceptedRun();
  expect(summary).toMatch(
    /3 of 3 accepted by Microsoft Graph\. The bot re-reads each accepted target 3 times/,
  );
  expect(summary).not.toMatch(/Succeeded/);
});

it('ends Resolved at the first check when every target’s errors are gone', async () => {
  const { acceptedAt } = await acceptedRun();
  await after(2 * MINUTE);
  expect(noticesMatching(h, /Resolved/)).toHaveLength(1);
  const resolved = [cardText((await toldInThread(h, /Resolved/)).card)];
  expect(resolved[0]).toMatch(/Verification \(check 1 of 3\): 3 resolved\./);
  expect(resolved[0]).toMatch(/Resolved\n3\nStill failing\n0\nNot verified\n0/);
  expect(latestUpdate()).toMatch(/^Resolved/);
  for (const u of users.users) expect(readsOf(u.id, acceptedAt)).toHaveLength(1);
  await after(60 * MINUTE);
  for (const u of users.users) expect(readsOf(u.id, acceptedAt)).toHaveLength(1);
});

it('re-reads only the targets still failing, and ends Still failing with the counts and the error', async () => {
  const { acceptedAt } = await acceptedRun();
  const [first, , stuck] = users.users;
  for (const e of h.graph.findUser(stuck!.id)?.serviceProvisioningErrors ?? []) e.isResolved = false;

  await after(2 * MINUTE);
  expect(latestUpdate()).toMatch(
    /^Accepted by Microsoft Graph, verifying.*Verification \(check 1 of 3\): 2 resolved, 1 still failing\./s,
  );
  expect(noticesMatching(h, /Still failing/)).toHaveLength(0);

  await after(8 * MINUTE);
  await after(20 * MINUTE);
  expect(readsOf(first!.id, acceptedAt)).toHaveLength(1);
  expect(readsOf(stuck!.id, acceptedAt)).toHaveLength(3);
  expect(noticesMatching(h, /Still failing/)).toHaveLength(1);
  const final = [cardText((await toldInThread(h, /Still failing/)).card)];
  expect(final[0]).toMatch(/Verification \(check 3 of 3\): 2 resolved, 1 still failing\./);
  expect(final[0]).toMatch(new RegExp(`✗ ${stuck!.displayName} \\(.*\\)\\n · Still failing: exchange/`));
  expect(final[0]).toMatch(/Resolved\n2\nStill failing\n1\nNot verified\n0/);

  const history = cardText((await command(h, 'history', PEOPLE.ada)).card);
  expect(history).toMatch(/Still failing/);
});
