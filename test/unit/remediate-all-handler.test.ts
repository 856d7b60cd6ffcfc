import { TargetResolver } from '../../src/features/remediate/target-resolver';
import { BulkPlanner } from '../../src/features/bulk/bulk-planner';
import { RemediateAllHandler } from '../../src/features/bulk/remediate-all-handler';
import type { Messenger } from '../../src/features/shared/turns';
import { createLogger } from '../../src/infra/logger';
import { channelAddress } from './channel-address';
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
  postNotice: () => Promise.reject(new Error('nothing should be posted')),
};

async function sceneWithHandler() {
  const scene = await failureCardScene();
  const { clock, ledger, remediations, governance, graph, registry } = scene;
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
  return { scene, handler };
}

it.each<[string, string, string]>([
  ['another thread of the same channel', '19:home@thread.tacv2;messageid=77', 'card'],
  ['the channel root', '19:home@thread.tacv2', 'card'],
  ['another channel', '19:other@thread.tacv2;messageid=1', 'ForeignConversation'],
  ['a group chat', '19:meeting_x@thread.v2', 'ForeignConversation'],
])('answers a Remediate all click from %s (%s) with %s', async (_where, conversationId, expected) => {
  const { scene, handler } = await sceneWithHandler();
  scene.store.broken = false;
  const turn = {
    ...scene.click('remediate-all', { fids: [scene.notice.id] }),
    address: channelAddress(conversationId),
  };
  const answer = await handler.handle(turn);
  expect(answer.kind === 'error' ? answer.code : answer.kind).toBe(expected);
  const claimed = (await scene.ledger.notice(scene.notice.id))?.remediationId;
  expect(claimed !== undefined).toBe(expected === 'card');
});

it('answers a Remediate all whose remediation cannot be saved with what happened, and works once storage is back', async () => {
  const { scene, handler } = await sceneWithHandler();
  await expectNotSavedThenPrepared(scene, handler, scene.click('remediate-all', { fids: [scene.notice.id] }));
});
