import { cardText } from './card-helpers';
import { logEntries } from './flows';
import type { Harness } from './harness';
import { batchedWrites, headline, requestAndApprove, startBulkHarness, summaryPost } from './bulk-helpers';
import type { FailingUsers } from '../fakes';

describe('a bulk run across a restart', () => {
  let h: Harness;
  let users: FailingUsers;

  beforeEach(async () => {
    ({ h, users } = await startBulkHarness(45, { BULK_CONCURRENCY: '1' }));
  });
  afterEach(async () => {
    await h.close();
  });

  it('is resumed by the next bot on the same store: every target called exactly once, the summary complete', async () => {
    const hold = h.graph.hold('$batch', { after: 1 });
    const { confirmation } = await requestAndApprove(h, `retry-provisioning --group ${users.group.id}`);
    await hold.waitForArrival();
    const firstApp = h.app;

    // Stop while the second batch is with Graph, start a new bot on the same DATA_DIR, then let Graph answer.
    const restarting = h.restart();
    hold.release();
    await restarting;
    expect(h.app).not.toBe(firstApp);

    const summary = await summaryPost(h);
    expect(headline(summary.card)).toBe('Accepted by Microsoft Graph, verifying');
    expect(cardText(summary.card)).toMatch(/45 of 45 accepted by Microsoft Graph/);
    for (const id of users.ids) expect(h.graph.callCount('retryServiceProvisioning', id)).toBe(1);
    expect(batchedWrites(h)).toHaveLength(45);
    expect(h.graph.requests.filter((r) => r.path === '/$batch')).toHaveLength(3);
    const logs = logEntries(h).map((e) => e.msg);
    expect(logs).toContain('bulk run released at shutdown; the next start resumes it');
    expect(logs).toContain('bulk run resumed after a restart');
    // The same message goes on showing the run: the new bot updates the card the approval replaced.
    await h.connector.waitFor(
      (r) =>
        r.kind === 'update' &&
        r.activityId === confirmation.cardId &&
        /Accepted by Microsoft Graph/.test(JSON.stringify(r.body)),
    );
  });

  it('leaves single-remediation reconciliation alone: the bulk remediation is not marked "Outcome unknown"', async () => {
    const hold = h.graph.hold('$batch', { after: 1 });
    await requestAndApprove(h, `retry-provisioning --group ${users.group.id}`);
    await hold.waitForArrival();
    const restarting = h.restart();
    hold.release();
    await restarting;
    const summary = await summaryPost(h);
    expect(cardText(summary.card)).not.toMatch(/Outcome unknown/);
    expect(logEntries(h).map((e) => e.msg)).not.toContain(
      'interrupted remediation reconciled as outcome unknown',
    );
  });
});
