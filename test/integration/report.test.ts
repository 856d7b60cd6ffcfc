import { CONTOSO, type TeamsUser } from '../fakes';
import { cardText, type Card } from './card-helpers';
import { approve, command, outcomeReply } from './flows';
import { CHANNEL, installInTeam, lastPost, remediate, say } from './notifications-helpers';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/**
 * `report [7d|30d]` over an audit trail seeded the way it is in use: remediations requested and approved
 * through the bot, Graph's fake answering, and the verifier's checks run on the manual clock. One retry
 * is resolved at the first check (the fake clears the error), the other stays failing through the last.
 */
let h: Harness;
afterEach(async () => {
  await h?.close();
});

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const CAROL: TeamsUser = { name: "Carol O'Brien", aadObjectId: CONTOSO.users.carol };

/** An Exchange error the knowledge table does not know, which a retry may fix. */
const MAILBOX_ERROR =
  '<ServiceInstance Name="exchange/namprd11-001-01" xmlns="http://schemas.microsoft.com/online/directoryservices/change/2008/11"><ObjectErrors><ErrorRecord><ErrorCode>ExMailboxCreationFailed</ErrorCode><ErrorParameters /><ErrorDescription>The mailbox could not be created.</ErrorDescription></ErrorRecord></ObjectErrors></ServiceInstance>';

function mailboxErrorOn(userId: string) {
  const user = h.graph.findUser(userId);
  if (!user) throw new Error(`no user ${userId}`);
  user.serviceProvisioningErrors = [
    {
      createdDateTime: new Date(h.clock.now() - DAY).toISOString(),
      isResolved: false,
      serviceInstance: 'exchange/namprd11-001-01',
      errorDetail: MAILBOX_ERROR,
    },
  ];
  return user;
}

async function after(ms: number): Promise<void> {
  h.clock.advance(ms);
  await h.app.verifier.runDue();
}

/** Alice's retry is resolved at the first check; Bob's error comes back after his and stays through the last. */
async function seedTrail(): Promise<void> {
  mailboxErrorOn(CONTOSO.users.alice);
  const bob = mailboxErrorOn(CONTOSO.users.bob);
  await approve(h, await command(h, 'retry-provisioning alice@contoso.com'));
  await approve(h, await command(h, 'retry-provisioning bob@contoso.com'));
  await h.app.approvals.drain();
  for (const e of bob.serviceProvisioningErrors ?? []) e.isResolved = false;
  await after(2 * MINUTE);
  await outcomeReply(h, 'Resolved');
  await after(8 * MINUTE);
  await after(20 * MINUTE);
  await outcomeReply(h, 'Still failing');
}

async function report(text: string, from: TeamsUser = PEOPLE.ada): Promise<{ card: Card; text: string }> {
  const sent = await command(h, text, from);
  return { card: sent.card, text: cardText(sent.card) };
}

/** Every element of a type in the card's body, wherever it sits. */
function elements(card: unknown, type: string): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === type) found.push(n);
    Object.values(n).forEach(walk);
  };
  walk(card);
  return found;
}

describe('report', () => {
  beforeEach(async () => {
    h = await startHarness();
  });

  it('counts failures, runs, the share verified resolved, the median and what is still failing', async () => {
    await seedTrail();
    const { text } = await report('report');
    expect(text).toMatch(/^Provisioning report: last 7 days/);
    expect(text).toMatch(/Failures detected\n2\n/);
    expect(text).toMatch(/Remediations run\n2\n/);
    expect(text).toMatch(/Verified resolved\n50% \(1 of 2\)/);
    // Alice's request at 12:00, verified resolved at the first check two minutes on.
    expect(text).toMatch(/Median, detection to verified resolution\n2 min \(over 1 resolution\)/);
    expect(text).toMatch(/User service provisioning\n2/);
    expect(text).toMatch(/Resolved \(verified\)\n1\n/);
    expect(text).toMatch(/Still failing\n1\n/);
    // Both errors are ones the knowledge table does not know.
    expect(text).toMatch(/2 ×\nNot in the knowledge table/);
    expect(text).toMatch(/Still failing · retry-provisioning · Bob Jones/);
    expect(text).not.toMatch(/Still failing · retry-provisioning · Alice/);
    // What a number could not be computed from.
    expect(text).toMatch(/a failure reported before the trail counted detections is not counted/);
  });

  it('counts from the monitor’s first sighting when the remediation came from its failure card', async () => {
    mailboxErrorOn(CONTOSO.users.alice);
    await installInTeam(h);
    await say(h, 'subscribe user-provisioning');
    await h.app.notifications.monitor.runOnce();
    const posted = lastPost(h, CHANNEL);
    h.clock.advance(10 * MINUTE);
    // A later cycle still sees it: the detection time stays the first sighting.
    await h.app.notifications.monitor.runOnce();
    const confirmation = await remediate(h, posted);
    await approve(h, { ...posted, card: confirmation.value });
    await h.app.approvals.drain();
    await after(2 * MINUTE);
    await outcomeReply(h, 'Resolved');
    const { text, card } = await report('report');
    // The monitor's first cycle found one failure of each family (the seed's and Alice's); the request
    // from Alice's card is not counted again.
    expect(text).toMatch(/Failures detected\n5\n/);
    expect(elements(card, 'Chart.Donut')[0]?.data).toHaveLength(5);
    expect(text).toMatch(/Verified resolved\n100% \(1 of 1\)/);
    expect(text).toMatch(/Median, detection to verified resolution\n12 min \(over 1 resolution\)/);
    expect(text).toMatch(/the monitor’s first sighting where the remediation came from its failure card/);
  });

  it('counts a provisioning on demand as resolved from the steps Graph answers with', async () => {
    const sent = await command(h, 'provision-on-demand alice@contoso.com --app Salesforce');
    h.clock.advance(5 * MINUTE);
    await approve(h, sent);
    await h.app.approvals.drain();
    const { text } = await report('report');
    expect(text).toMatch(/Verified resolved\n100% \(1 of 1\)/);
    expect(text).toMatch(/Median, detection to verified resolution\n5 min \(over 1 resolution\)/);
  });

  it('draws the numbers as Teams charts, each with a text fallback for clients without them', async () => {
    await seedTrail();
    const { card } = await report('report');
    const [donut] = elements(card, 'Chart.Donut');
    expect(donut?.data).toEqual([{ legend: 'User service provisioning', value: 2 }]);
    expect(donut?.fallback).toEqual({
      type: 'FactSet',
      facts: [{ title: 'User service provisioning', value: '2' }],
    });
    const [bars] = elements(card, 'Chart.VerticalBar');
    expect(bars?.data).toEqual([
      { x: 'Resolved (verified)', y: 1 },
      { x: 'Still failing', y: 1 },
    ]);
    expect(bars?.fallback).toEqual({
      type: 'FactSet',
      facts: [
        { title: 'Resolved (verified)', value: '1' },
        { title: 'Still failing', value: '1' },
      ],
    });
  });

  it('reads 7 days by default and 30 days when asked', async () => {
    await seedTrail();
    h.clock.advance(8 * DAY);
    const week = (await report('report')).text;
    expect(week).toMatch(/Remediations run\n0\n/);
    expect(week).toMatch(/Verified resolved\nno remediation was run/);
    expect(elements((await report('report 7d')).card, 'Chart.Donut')).toHaveLength(0);
    const month = (await report('report 30d')).text;
    expect(month).toMatch(/^Provisioning report: last 30 days/);
    expect(month).toMatch(/Remediations run\n2\n/);
    expect(month).toMatch(/Verified resolved\n50% \(1 of 2\)/);
  });

  it('refuses another period and says which are accepted', async () => {
    const { text } = await report('report 90d');
    expect(text).toMatch(/7d or 30d/);
    expect(text).not.toMatch(/Provisioning report/);
  });

  it('is listed in help, with its periods', async () => {
    expect((await report('help')).text).toMatch(/report \[<7d\|30d>\]\n.*over 7 or 30 days/);
    expect((await report('help report')).text).toMatch(/7d or 30d \(default 7d\)/);
  });

  it('is refused to someone the policy lets neither request nor approve', async () => {
    await seedTrail();
    const { text } = await report('report', CAROL);
    expect(text).toMatch(/^Not allowed/);
    expect(text).not.toMatch(/Remediations run/);
  });
});
