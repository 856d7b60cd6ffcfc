import { TargetResolver } from '../../src/approvals/target-resolver';
import { BulkPlanner } from '../../src/bulk/bulk-planner';
import { RemediateAllHandler } from '../../src/bulk/remediate-all-handler';
import type { Messenger } from '../../src/chat/chat-types';
import { createLogger } from '../../src/logger';
import { expectNotSavedThenPrepared, failureCardScene } from './failure-card-scene';

/**
 * Remediate all on a digest when the bulk remediation cannot be written: the click says so instead of a
 * generic error, the digest's failures are not left claimed by a remediation that does not exist, and the
 * same button prepares it once the storage is back.
 */

/** One group only, so the first group's card answers the click and nothing is posted or updated. */
const nobodyPosts: Messenger = {
  postCard: () => Promise.reject(new Error('nothing should be posted')),
  updateCard: () => Promise.reject(new Error('nothing should be updated')),
};

it('answers a Remediate all whose remediation cannot be saved with what happened, and works once storage is back', async () => {
  const scene = await failureCardScene();
  const { clock, ledger, remediations, governance, graph, registry, notice, click } = scene;
  const handler = new RemediateAllHandler({
    ledger,
    registry,
    resolver: new TargetResolver(remediations, () => graph, clock, governance, new BulkPlanner()),
    remediations,
    governance,
    messenger: nobodyPosts,
    bulk: { owns: () => false, card: () => Promise.reject(new Error('no bulk card expected')) },
    logger: createLogger('silent'),
  });
  await expectNotSavedThenPrepared(scene, handler, click('remediate-all', { fids: [notice.id] }));
});
