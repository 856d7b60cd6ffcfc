import { auditRemediation } from '../../domain/governance/governance';
import type { RecordedActor, Remediation } from '../../domain/remediation/remediation';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import { UNKNOWN_REQUEST, type ApprovalContext } from './approval-context';

/**
 * Ends a pending remediation without running it (reject, cancel): one conditional write decides, the
 * winner records it in the trail and shows the new state to everyone; every clicker sees the state as it
 * now stands.
 */
export async function closePending(
  ctx: ApprovalContext,
  turn: CardActionTurn,
  id: string,
  by: RecordedActor,
  transition: (r: Remediation) => Remediation | undefined,
  event: 'rejected' | 'cancelled',
  options: { readonly reply: boolean; readonly detail?: string },
): Promise<CardActionResponse> {
  const { store, governance, logger } = ctx.deps;
  const updated = await store.update(id, transition);
  if (!updated) return UNKNOWN_REQUEST;
  if (updated.changed) {
    await auditRemediation(
      governance,
      updated.value,
      event,
      by,
      options.detail ? { detail: options.detail } : {},
    );
    logger.info(
      { correlationId: turn.correlationId, remediationId: id, event },
      'remediation closed without running',
    );
    ctx.track(ctx.publish(updated.value, turn.cardActivityId, logger, options.reply));
  }
  return ctx.card(updated.value);
}
