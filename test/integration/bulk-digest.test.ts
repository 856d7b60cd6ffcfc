import { CONTOSO, type FailingUsers } from '../fakes';
import { cardActions, cardText } from './card-helpers';
import { approve, click } from './flows';
import { PEOPLE, type Harness } from './harness';
import { CHANNEL, asSent, installInTeam, lastPost, say } from './notifications-helpers';
import { batchedWrites, headline, invokeCard, startBulkHarness, summaryPost } from './bulk-helpers';

describe('Remediate all on a digest card', () => {
  let h: Harness;
  let users: FailingUsers;

  beforeEach(async () => {
    ({ h, users } = await startBulkHarness(8));
    await installInTeam(h);
    expect(await say(h, 'subscribe user-provisioning cloudpc')).toMatch(/user-provisioning/);
    await h.app.notifications.monitor.runOnce();
  });
  afterEach(async () => {
    await h.close();
  });

  it('prepares one bulk remediation per kind of fix, each approved once, v1.0 and beta in separate batches', async () => {
    const digest = lastPost(h, CHANNEL);
    expect(cardText(digest.card)).toMatch(/10 new provisioning failures/);
    const button = cardActions(digest.card).find((a) => a.verb === 'remediate-all');
    expect(button?.title).toBe('Remediate all (10)');
    expect(Object.keys(button?.data ?? {})).toEqual(['fids']);

    const sentBefore = h.connector.requests.length;
    const answer = await click(h, digest, 'remediate-all', PEOPLE.reggie);
    const users9 = invokeCard(answer);
    expect(cardText(users9)).toMatch(/retry-provisioning for 9 users/);
    const policyPost = await h.connector.waitFor(
      (r) =>
        r.kind === 'send' &&
        h.connector.requests.indexOf(r) >= sentBefore &&
        /retry-cloudpc-policy for 1 policy/.test(JSON.stringify(r.body)),
    );

    const again = await click(h, digest, 'remediate-all', PEOPLE.reggie);
    expect(cardText(invokeCard(again))).toMatch(/retry-provisioning for 9 users/);
    expect(
      h.connector.requests.filter((r) => /retry-cloudpc-policy for 1 policy/.test(JSON.stringify(r.body))),
    ).toHaveLength(1);

    const first = { card: users9, cardId: digest.cardId, conversationId: digest.conversationId };
    const before = h.connector.requests.length;
    await approve(h, first, PEOPLE.ada);
    const summary = await summaryPost(h, before);
    expect(cardText(summary.card)).toMatch(/9 of 9 accepted by Microsoft Graph/);
    for (const id of [...users.ids, CONTOSO.users.alice]) {
      expect(h.graph.callCount('retryServiceProvisioning', id)).toBe(1);
    }

    const afterUsers = h.connector.requests.length;
    await approve(h, asSent(policyPost), PEOPLE.ada);
    const policySummary = await summaryPost(h, afterUsers);
    expect(headline(policySummary.card)).toBe('Accepted by Microsoft Graph, verifying');
    expect(h.graph.callCount('retryCloudPcPolicy', CONTOSO.policies.frontline)).toBe(1);

    const envelopes = h.graph.requests.filter((r) => r.path === '/$batch');
    expect(envelopes.map((e) => e.version).sort()).toEqual(['beta', 'v1.0']);
    for (const envelope of envelopes) {
      const items = batchedWrites(h).filter((w) => w.batchId === envelope.requestId);
      expect(items.every((i) => i.version === envelope.version)).toBe(true);
    }
  });

  it('keeps the failures open to the next click when the first to click may not request', async () => {
    const digest = lastPost(h, CHANNEL);
    const carol = { name: "Carol O'Brien", aadObjectId: CONTOSO.users.carol };
    const refused = invokeCard(await click(h, digest, 'remediate-all', carol));
    expect(cardText(refused)).toMatch(/^Not allowed/);
    expect(cardActions(refused)).toHaveLength(0);
    const answer = await click(h, digest, 'remediate-all', PEOPLE.reggie);
    expect(cardText(invokeCard(answer))).toMatch(/retry-provisioning for 9 users/);
  });

  it('leaves out a failure whose own Remediate button was already used', async () => {
    const digest = lastPost(h, CHANNEL);
    const single = cardActions(digest.card).find((a) => a.verb === 'remediate');
    await click(h, digest, 'remediate', PEOPLE.reggie, undefined, single?.data);
    const answer = await click(h, digest, 'remediate-all', PEOPLE.reggie);
    expect(cardText(invokeCard(answer))).toMatch(/retry-provisioning for 8 users/);
  });
});
