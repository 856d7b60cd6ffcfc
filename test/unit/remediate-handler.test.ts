import { TargetResolver } from '../../src/approvals/target-resolver';
import { createLogger } from '../../src/logger';
import { RemediateHandler } from '../../src/notifications/remediate-handler';
import { expectNotSavedThenPrepared, failureCardScene } from './failure-card-scene';

/**
 * A failure card's Remediate button when the remediation cannot be written: the click says so, nothing is
 * left half-made, and the button prepares the remediation once the storage is back.
 */
it('answers a click whose remediation cannot be saved with what happened, and works once storage is back', async () => {
  const scene = await failureCardScene();
  const { clock, ledger, remediations, governance, graph, registry, notice, click } = scene;
  const handler = new RemediateHandler({
    ledger,
    registry,
    resolver: new TargetResolver(remediations, () => graph, clock, governance),
    remediations,
    governance,
    logger: createLogger('silent'),
  });
  await expectNotSavedThenPrepared(scene, handler, click('remediate', { fid: notice.id }));
});
