import { z } from 'zod';
import { blockingDiagnosis } from '../../domain/actions/diagnosis';
import type { Remediation } from '../../domain/remediation/remediation';
import type { CardActionTurn } from '../shared/turns';
import { VERBS } from '../shared/verbs';

/** The longest reason kept; the card's input allows as much. */
const MAX_REASON = 500;

const reasonData = z.object({ retryReason: z.string().optional() }).passthrough();

/** Whether a click may run the remediation, and the reason given to run it before the fix. */
export type RetryAnywayCheck =
  { readonly ok: true; readonly reason?: string } | { readonly ok: false; readonly notice: string };

/**
 * Approve and Retry anyway run the same path; they differ here. Where the diagnosis says a retry cannot help
 * until something is fixed, the card offers only Retry anyway, so an Approve click (an old card, a crafted
 * invoke) is turned back; Retry anyway needs a reason, checked here whatever the card's own validation did,
 * and the reason goes to the audit trail with the approval.
 */
export function checkRetryAnyway(turn: CardActionTurn, r: Remediation): RetryAnywayCheck {
  if ((turn.verb ?? '').toLowerCase() === VERBS.retryAnyway) {
    const parsed = reasonData.safeParse(turn.data);
    const reason = (parsed.success ? (parsed.data.retryReason ?? '') : '').trim().slice(0, MAX_REASON);
    return reason
      ? { ok: true, reason }
      : { ok: false, notice: 'Retry anyway needs a reason: say why it should run before the fix.' };
  }
  const blocking = blockingDiagnosis(r.confirmation.diagnoses);
  return blocking
    ? {
        ok: false,
        notice: `A retry cannot help until this is fixed: ${blocking.fixFirst} To run it now anyway, use Retry anyway and give a reason.`,
      }
    : { ok: true };
}
