import type { CardActionResponse, Messenger } from '../shared/turns';
import type { ConversationAddress } from '../../domain/conversation';
import { errorMessage, type Logger } from '../../infra/logger';
import type { RemediationStore } from '../../domain/remediation/remediation-store';
import type { ResolvedCard } from './target-resolver';

/** The answer to a card click whose request could not be written; the clicked card stays as it was. */
export function notSavedResponse(): CardActionResponse {
  return {
    kind: 'error',
    status: 500,
    code: 'NotSaved',
    message:
      'This request could not be saved, so nothing was run. Try again in a minute; if this keeps happening, check the bot storage.',
  };
}

/**
 * Records the id of the message that shows a remediation's card, so expiry and a finished run can update that
 * message later. Best effort: without it the card still works (a click carries the remediation's id), it only
 * stays as it was when the request expires, so a failure is logged, not shown.
 */
export async function rememberCardMessage(
  store: RemediationStore,
  remediationId: string,
  activityId: string | undefined,
  log: Logger,
): Promise<void> {
  if (!activityId) return;
  try {
    await store.update(remediationId, (r) =>
      r.cardActivityId ? undefined : { ...r, cardActivityId: activityId },
    );
  } catch (err) {
    log.warn(
      { remediationId, err: errorMessage(err) },
      'the message id of a confirmation card was not recorded',
    );
  }
}

/**
 * Posts a card whose records are written as a new message in the thread (outside a turn) and records the
 * message's id. A failed post rejects; the request behind it then stays pending until it expires.
 */
export async function postResolvedCard(
  messenger: Messenger,
  store: RemediationStore,
  address: ConversationAddress,
  resolved: ResolvedCard,
  log: Logger,
): Promise<void> {
  const activityId = await messenger.postCard(address, resolved.card, resolved.summary);
  if (resolved.remediation) await rememberCardMessage(store, resolved.remediation.id, activityId, log);
}
