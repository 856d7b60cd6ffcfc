import { CONTOSO } from '../fakes';
import { cardActions, cardText } from './card-helpers';
import { approve, click, command, outcomeReply } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/**
 * "Did you mean retry-provisioning?" carries a button that runs the suggestion with the arguments as typed,
 * as if the clicker had typed it: the same parser, policy, look-up and confirmation.
 */
let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

it('offers the suggestion as a button with the same arguments, and keeps the words', async () => {
  const sent = await command(h, 'retry-provisoning "Alice Smith"');
  expect(cardText(sent.card)).toMatch(/Did you mean retry-provisioning\?/);
  expect(cardActions(sent.card)).toEqual([
    {
      title: 'Run retry-provisioning "Alice Smith"',
      verb: 'run-suggestion',
      data: { command: 'retry-provisioning "Alice Smith"' },
    },
  ]);
});

it('answers the click with the confirmation a typed command gets, and its Approve runs it once', async () => {
  const sent = await command(h, 'retry-provisoning alice@contoso.com', PEOPLE.reggie);
  const answer = await click(h, sent, 'run-suggestion', PEOPLE.reggie);
  expect(answer.type).toBe('application/vnd.microsoft.card.adaptive');
  const typed = await command(h, 'retry-provisioning alice@contoso.com', PEOPLE.reggie);
  const heading = (text: string) => text.split('\n').slice(0, 3);
  expect(heading(cardText(answer.value))).toEqual(heading(cardText(typed.card)));
  expect(cardText(answer.value)).toContain(CONTOSO.users.alice);
  expect(cardActions(answer.value).map((a) => a.verb)).toContain('approve');

  // The confirmation now lives in the clicked message: Approve there runs it, and its outcome updates it.
  const confirmation = { ...sent, card: answer.value };
  await approve(h, confirmation, PEOPLE.ada);
  await outcomeReply(h, 'Accepted by Microsoft Graph');
  expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice)).toBe(1);
  expect(h.connector.updates().map((u) => u.activityId)).toContain(sent.cardId);
});

it('holds the clicker to the policy exactly as if they had typed it', async () => {
  const carol = { name: "Carol O'Brien", aadObjectId: CONTOSO.users.carol };
  const sent = await command(h, 'retry-provisoning alice@contoso.com', PEOPLE.reggie);
  const answer = await click(h, sent, 'run-suggestion', carol);
  const typed = await command(h, 'retry-provisioning alice@contoso.com', carol);
  expect(cardText(answer.value)).toBe(cardText(typed.card));
  expect(cardText(answer.value)).toMatch(/not allowed/i);
  expect(cardActions(answer.value).map((a) => a.verb)).not.toContain('approve');
});

it('refuses a click whose data carries no command', async () => {
  const sent = await command(h, 'retry-provisoning alice@contoso.com');
  const answer = await click(h, sent, 'run-suggestion', PEOPLE.reggie, undefined, { command: 42 });
  expect(answer.statusCode).toBe(400);
});
