import type { Actor } from '../../src/domain/conversation';
import { CONTOSO, teamsUserId } from '../fakes';
import { cardActions, cardText } from './card-helpers';
import { click, command, outcomeReply } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/**
 * The sandbox's `act-as`: the one person signed in to the Agents Playground requests as a simulated Reggie and
 * approves as themselves, under the default four-eyes policy. A bot started without people has no act-as.
 */
const reggie: Actor = {
  id: teamsUserId(PEOPLE.reggie),
  aadObjectId: PEOPLE.reggie.aadObjectId,
  name: PEOPLE.reggie.name,
};
const ALICE = 'retry-provisioning alice@contoso.com';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

it('lets Ada request as Reggie and approve as herself, which four-eyes allows', async () => {
  h = await startHarness({}, { actAs: new Map([['reggie', reggie]]) });
  const switched = await command(h, 'act-as reggie', PEOPLE.ada);
  expect(cardText(switched.card)).toMatch(/^You act as Reggie Requester/);

  const sent = await command(h, ALICE, PEOPLE.ada);
  expect(cardText(sent.card)).toMatch(/Requested by Reggie Requester/);
  // Still Reggie: his own request is not his to approve.
  const own = await click(h, sent, 'approve', PEOPLE.ada, h.ssoToken(PEOPLE.reggie));
  expect(cardText(own.value)).toMatch(/four-eyes/i);

  expect(cardText((await command(h, 'act-as me', PEOPLE.ada)).card)).toMatch(/^You act as Ada Admin again/);
  const rid = cardActions(sent.card).find((a) => a.verb === 'approve')?.data.rid;
  await click(h, sent, 'approve', PEOPLE.ada, h.ssoToken(PEOPLE.ada), { rid });
  await outcomeReply(h, 'Retry service provisioning for Alice Smith');
  expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
});

it('names the people it knows when asked for someone else', async () => {
  h = await startHarness({}, { actAs: new Map([['reggie', reggie]]) });
  const answer = cardText((await command(h, 'act-as mallory', PEOPLE.ada)).card);
  expect(answer).toMatch(/No simulated person "mallory"/);
  expect(answer).toMatch(/act-as takes one of: reggie, me\./);
});

it('is not a command of a bot started without simulated people', async () => {
  h = await startHarness();
  const answer = cardText((await command(h, 'act-as reggie', PEOPLE.ada)).card);
  expect(answer).not.toMatch(/You act as/);
  expect(answer).toMatch(/act-as/);
});
