import type { HistoryCardData, StatusCardData } from './card-data';
import type { Remediation } from '../../domain/remediation/remediation';
import type { AuditEntry } from '../../domain/audit/audit-log';
import { clip, localTime, ROOM } from './card-text';
import { nameAndId } from './card-facts';
import { approvalWindow } from './relative-time';
import { outcomeCardData } from './remediation-cards';
import { renderCard, type AdaptiveCardJson } from './render';

/**
 * Room for the free text of one history row: fifty rows share a card, so a reason or a long target is cut
 * there and shown in full by `status <remediation-id>`.
 */
const HISTORY_ROOM = { name: 50, target: 100, detail: 100, objectId: true } as const;

/** Room for the ids the bot and Graph make: a remediation id (22 characters), a request-id (a GUID), an action name. */
const ID_ROOM = 40;

/** Room for the detail of one timeline event (a reason, a refusal's rule); the summary above has it whole. */
const TIMELINE_DETAIL = 300;

/** Events a status card lists: the first few and the latest, with a count of those between. */
const TIMELINE_FIRST = 5;
const TIMELINE_LAST = 15;

const EVENT_WORDS: Readonly<Record<AuditEntry['event'], string>> = {
  requested: 'Requested',
  'request-refused': 'Request refused',
  approved: 'Approved',
  'approval-refused': 'Approval refused',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired',
  succeeded: 'Accepted by Graph',
  failed: 'Failed',
  'outcome-unknown': 'Outcome unknown',
  'verified-resolved': 'Resolved (verified)',
  'verified-still-failing': 'Checked: still failing',
  'still-failing': 'Still failing',
  'not-verified': 'Could not verify',
  'failures-detected': 'Failures detected',
  'conversation-paused': 'Posting paused',
  'conversation-resumed': 'Posting resumed',
  'conversation-forgotten': 'Conversation forgotten',
  'conversation-restored': 'Conversation restored',
};

/** An entry's who, detail, Graph answer and ids; the object's id where the line does not sit under its name. */
function footnote(
  e: AuditEntry,
  room: { readonly name: number; readonly detail: number; readonly objectId: boolean },
): string {
  const parts = [`by ${clip(e.actor.name, room.name)}`];
  if (e.detail) parts.push(clip(e.detail, room.detail));
  if (e.graph) {
    const requestId = e.graph.requestId ? `, request-id ${clip(e.graph.requestId, ID_ROOM)}` : '';
    parts.push(`Graph ${e.graph.status}${requestId}`);
  }
  const { id } = nameAndId(e.target);
  if (id && room.objectId) parts.push(`object ${id}`);
  if (e.remediationId) parts.push(`remediation ${clip(e.remediationId, ID_ROOM)}`);
  return parts.join(' · ');
}

function timelineLine(e: AuditEntry): string {
  return `${localTime(e.at)} · ${EVENT_WORDS[e.event]} · ${footnote(e, { name: ROOM.name, detail: TIMELINE_DETAIL, objectId: false })}`;
}

/** A long timeline keeps its start and its latest events, and counts the ones between. */
function timelineLines(timeline: readonly AuditEntry[]): string[] {
  if (timeline.length <= TIMELINE_FIRST + TIMELINE_LAST) return timeline.map(timelineLine);
  const between = timeline.length - TIMELINE_FIRST - TIMELINE_LAST;
  return [
    ...timeline.slice(0, TIMELINE_FIRST).map(timelineLine),
    `… and ${between.toLocaleString('en-US')} more events`,
    ...timeline.slice(-TIMELINE_LAST).map(timelineLine),
  ];
}

/** One page of the audit trail, newest first. */
export function historyCard(
  filters: string,
  entries: readonly AuditEntry[],
  more: Record<string, unknown> | null,
): AdaptiveCardJson {
  const data: HistoryCardData = {
    filters: clip(filters, ROOM.title),
    entries: entries.map((e) => ({
      headline: `${localTime(e.at)} · ${EVENT_WORDS[e.event]} · ${clip(e.action, ID_ROOM)}`,
      target: clip(nameAndId(e.target).name, HISTORY_ROOM.target),
      footnote: footnote(e, HISTORY_ROOM),
    })),
    more,
  };
  return renderCard('history', data);
}

/** Why a pending remediation was asked for, and how long it can still be approved. */
function pendingSummary(r: Remediation): string {
  const why = clip(r.confirmation.why, ROOM.paragraph);
  return r.expiresAt ? `${why} ${approvalWindow(r.createdAt, r.expiresAt)}` : why;
}

/** One remediation's current state and its timeline from the audit trail. */
export function statusCard(r: Remediation, timeline: readonly AuditEntry[]): AdaptiveCardJson {
  const outcome = outcomeCardData(r);
  const data: StatusCardData = {
    state: r.state === 'pending' ? 'Pending approval' : outcome.state,
    color: r.state === 'pending' ? 'Accent' : outcome.color,
    title: outcome.title,
    summary: r.state === 'pending' ? pendingSummary(r) : outcome.summary,
    facts: [...outcome.facts, ...(outcome.graph ?? [])],
    times: outcome.times,
    timeline: timelineLines(timeline),
    footer: outcome.footer,
  };
  return renderCard('status', data);
}
