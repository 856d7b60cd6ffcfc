import { noticeCard } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import type { CardActionResponse, ConversationAddress, Messenger } from '../chat/chat-types';
import { errorMessage, type Logger } from '../logger';
import type { PreparedCard } from './target-resolver';

/** What replaces a sent card whose records could not be written: nothing behind it can be approved. */
export function notSavedCard(): AdaptiveCardJson {
  return noticeCard({
    title: 'Not saved',
    text: 'This request could not be saved, so it cannot be approved. Nothing was run.',
    hint: 'Send the command again in a minute; if this keeps happening, check the bot storage.',
    color: 'Attention',
  });
}

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

/** Replaces a message already sent: through the turn, or proactively once the turn is over. */
export type ReplaceCard = (activityId: string, card: AdaptiveCardJson, summary: string) => Promise<void>;

/**
 * Writes a sent card's records once, already carrying the id of the message that shows it (expiry and
 * reconciliation update that message later). If they cannot be written the card is replaced, so no Approve
 * button outlives a request that does not exist. Resolves whether the records were written.
 */
export async function saveSentCard(
  prepared: PreparedCard,
  activityId: string | undefined,
  replace: ReplaceCard,
  log: Logger,
): Promise<boolean> {
  const remediationId = prepared.remediation?.id;
  try {
    await prepared.save(activityId);
    return true;
  } catch (err) {
    log.error(
      { remediationId, err: errorMessage(err), replaced: activityId !== undefined },
      'the request could not be saved; its confirmation card is withdrawn',
    );
    if (activityId) {
      await replace(activityId, notSavedCard(), 'Not saved').catch((replaceErr: unknown) =>
        log.error(
          { remediationId, err: errorMessage(replaceErr) },
          'the unsaved confirmation card could not be withdrawn',
        ),
      );
    }
    return false;
  }
}

/** Posts a prepared card as a new message in the thread (outside a turn), then {@link saveSentCard}. */
export async function postPreparedCard(
  messenger: Messenger,
  address: ConversationAddress,
  prepared: PreparedCard,
  log: Logger,
): Promise<boolean> {
  const activityId = await messenger.postCard(address, prepared.card, prepared.summary);
  return saveSentCard(
    prepared,
    activityId,
    (id, card, summary) => messenger.updateCard(address, id, card, summary),
    log,
  );
}
