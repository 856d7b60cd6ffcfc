import { TargetResolver } from '../../src/features/remediate/target-resolver';
import { createLogger } from '../../src/infra/logger';
import { RemediateHandler } from '../../src/features/notify/remediate-handler';
import { channelAddress } from './channel-address';
import { expectNotSavedThenPrepared, failureCardScene } from './failure-card-scene';

/**
 * A failure card's Remediate button when the remediation cannot be written: the click says so, nothing is
 * left half-made, and the button prepares the remediation once the storage is back.
 */
async function sceneWithHandler() {
  const scene = await failureCardScene();
  const { clock, ledger, remediations, governance, graph, registry } = scene;
  const handler = new RemediateHandler({
    ledger,
    registry,
    resolver: new TargetResolver(remediations, () => graph, clock, governance),
    remediations,
    governance,
    logger: createLogger('silent'),
  });
  return { scene, handler };
}

it.each<[string, string, string]>([
  ['another thread of the same channel', '19:home@thread.tacv2;messageid=77', 'card'],
  ['the channel root', '19:home@thread.tacv2', 'card'],
  ['another channel', '19:other@thread.tacv2;messageid=1', 'ForeignConversation'],
  ['a group chat', '19:meeting_x@thread.v2', 'ForeignConversation'],
])('answers a Remediate click from %s (%s) with %s', async (_where, conversationId, expected) => {
  const { scene, handler } = await sceneWithHandler();
  scene.store.broken = false;
  const turn = {
    ...scene.click('remediate', { fid: scene.notice.id }),
    address: channelAddress(conversationId),
  };
  const answer = await handler.handle(turn);
  expect(answer.kind === 'error' ? answer.code : answer.kind).toBe(expected);
  const claimed = (await scene.ledger.notice(scene.notice.id))?.remediationId;
  expect(claimed !== undefined).toBe(expected === 'card');
});

it('answers a click whose remediation cannot be saved with what happened, and works once storage is back', async () => {
  const { scene, handler } = await sceneWithHandler();
  await expectNotSavedThenPrepared(scene, handler, scene.click('remediate', { fid: scene.notice.id }));
});
