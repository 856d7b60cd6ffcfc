import { entraFaults, type FailingUsers } from '../fakes';
import { cardActions, cardText } from './card-helpers';
import { requestAndApprove, startBulkHarness, summaryPost, toldInThread } from './bulk-helpers';
import { oboRequests, type InvokeBody, type Sent } from './flows';
import { BOT_CONNECTION, PEOPLE, type Harness } from './harness';

jest.setTimeout(30_000);

/**
 * Resume of a paused bulk run signs the approver in exactly as Approve does (one sign-in module): as
 * deployed, with the OAuth connection on the token service, 412 when Entra wants MFA, then the magic code.
 */
let h: Harness;
let users: FailingUsers;
afterEach(async () => {
  await h.close();
});

async function resume(paused: Sent, proof: { token?: string; state?: string } = {}): Promise<InvokeBody> {
  const res = await h.teams.invoke({
    from: PEOPLE.ada,
    conversationId: paused.conversationId,
    replyToId: paused.cardId,
    verb: 'bulk-resume',
    data: cardActions(paused.card)[0]?.data ?? {},
    ...proof,
  });
  expect(res.status).toBe(200);
  return res.body as InvokeBody;
}

it('resumes a run paused by an expired sign-in after 412 and a sign-in through the OAuth connection', async () => {
  ({ h, users } = await startBulkHarness(45, { BULK_CONCURRENCY: '1' }, { botFramework: true }));
  const tokens = h.botFramework?.tokens;
  if (!tokens) throw new Error('the harness runs without a Bot Framework');
  const hold = h.graph.hold('$batch', { after: 1 });
  await requestAndApprove(h, `retry-provisioning --group ${users.group.id}`);
  await hold.waitForArrival();
  h.clock.advance(61 * 60_000);
  const before = h.connector.requests.length;
  hold.release();
  const paused = await toldInThread(h, /Paused/, before);
  const done = () => users.ids.filter((id) => h.graph.callCount('retryServiceProvisioning', id) === 1).length;
  expect(done()).toBe(40);

  const login = await resume(paused);
  expect(login).toMatchObject({ statusCode: 401, value: { connectionName: BOT_CONNECTION } });
  const link = String((login.value.buttons as Array<{ value: string }>)[0]?.value);
  h.entra.failNextTokenRequest(entraFaults.interactionRequired());
  const refused = await resume(paused, { token: h.ssoToken(PEOPLE.ada) });
  expect(refused).toMatchObject({
    statusCode: 412,
    type: 'application/vnd.microsoft.error.preconditionFailed',
  });
  expect(done()).toBe(40);

  const code = tokens.completeSignIn(link, h.ssoToken(PEOPLE.ada));
  const resumed = await resume(paused, { state: code });
  expect(cardText(resumed.value)).toMatch(/Running/);
  const summary = await summaryPost(h, before);
  expect(cardText(summary.card)).toMatch(/45 of 45 accepted by Microsoft Graph/);
  for (const id of users.ids) expect(h.graph.callCount('retryServiceProvisioning', id)).toBe(1);
  expect(
    oboRequests(h)
      .slice(-2)
      .map((r) => r.errorCode ?? r.status),
  ).toEqual([50076, 200]);
});
