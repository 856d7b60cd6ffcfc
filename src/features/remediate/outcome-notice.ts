import type { Remediation } from '../../domain/remediation/remediation';
import type { CardActionTurn, ThreadNotice } from '../shared/turns';

const TITLE_ROOM = 160;

/** Records the clicker's Teams id on the remediation they decided, so the thread's reply can @mention them. */
export function decidedBy(r: Remediation | undefined, turn: CardActionTurn): Remediation | undefined {
  return r && turn.from.id ? { ...r, deciderTeamsId: turn.from.id } : r;
}

/**
 * The thread's reply when a remediation reaches an outcome: an update to the card notifies no one, so one
 * short line @mentions the requester and whoever approved or rejected it (where that is someone else), with
 * the outcome and the id `status` takes. The card itself stays the one full record.
 */
export function outcomeNotice(r: Remediation, word: string): ThreadNotice {
  const mentions: { id: string; name: string }[] = [];
  if (r.requesterTeamsId) mentions.push({ id: r.requesterTeamsId, name: r.requestedBy.name });
  const decider = r.approvedBy ?? r.rejectedBy;
  if (decider && r.deciderTeamsId && r.deciderTeamsId !== r.requesterTeamsId)
    mentions.push({ id: r.deciderTeamsId, name: decider.name });
  const whole = r.confirmation.title.replace(/[.\s]+$/, '');
  const title = whole.length > TITLE_ROOM ? `${whole.slice(0, TITLE_ROOM - 1)}…` : whole;
  return {
    mentions,
    text: `${word}: ${title}. Remediation ${r.id}; its card has the details.`,
  };
}
