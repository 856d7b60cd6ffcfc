import type { Fact } from '../actions/action';
import type { Remediation } from '../approvals/remediation';
import type { ConfirmationCardData, NoticeCardData, OutcomeCardData, PendingApprovalData } from './card-data';
import { renderCard, type AdaptiveCardJson } from './render';

/** What the person looking at a card may do with it; the default view (no viewer) offers every button. */
export interface CardView {
  readonly roles: readonly string[];
  /** e.g. "four-eyes (actions.retry-provisioning)". */
  readonly approvalRule: string;
  /** Undefined: the shared card everyone sees, with every button, each checked on click. */
  readonly viewer?: { readonly canApprove: boolean; readonly isRequester: boolean };
  /** A message for the person who just clicked. */
  readonly notice?: string;
}

function refreshUsers(r: Remediation): string[] {
  return r.requesterTeamsId ? [r.requesterTeamsId] : [];
}

/** The part of a card awaiting approval that single and bulk confirmations share, for one viewer or everyone. */
export function pendingApprovalData(r: Remediation, view: CardView): PendingApprovalData {
  const open = r.state === 'pending' && !r.confirmation.blocked;
  return {
    rid: r.id,
    title: r.confirmation.title,
    why: r.confirmation.why,
    facts: r.confirmation.facts,
    blocked: r.confirmation.blocked ?? null,
    notice: view.notice ?? null,
    requestedBy: r.requestedBy.name,
    command: r.command,
    roles: view.roles.join(', '),
    approvalRule: view.approvalRule,
    expiresAt: r.expiresAt ?? 'never',
    showApprove: open && (view.viewer?.canApprove ?? true),
    showReject: open && (view.viewer?.canApprove ?? true),
    showCancel: open && (view.viewer?.isRequester ?? true),
    userIds: refreshUsers(r),
  };
}

/** The confirmation card's data for one viewer (or for everyone). */
export function confirmationCardData(r: Remediation, view: CardView): ConfirmationCardData {
  return { ...pendingApprovalData(r, view), problems: r.confirmation.problems };
}

function graphFacts(r: Remediation): Fact[] | null {
  const g = r.result?.graph;
  if (!g) return null;
  const facts: Fact[] = [{ title: 'Graph status', value: String(g.status || 'no answer') }];
  if (g.code) facts.push({ title: 'Error code', value: g.code });
  if (g.message) facts.push({ title: 'Graph message', value: g.message });
  facts.push({ title: 'request-id', value: g.requestId ?? '—' });
  facts.push({ title: 'Date', value: g.date ?? '—' });
  return facts;
}

const STATE_WORDS = {
  running: { state: 'Running', color: 'Accent' },
  succeeded: { state: 'Succeeded', color: 'Good' },
  failed: { state: 'Failed', color: 'Attention' },
  cancelled: { state: 'Cancelled', color: 'Default' },
  rejected: { state: 'Rejected', color: 'Warning' },
  expired: { state: 'Expired', color: 'Default' },
  unknown: { state: 'Outcome unknown', color: 'Warning' },
} as const;

function summaryOf(r: Remediation): string {
  switch (r.state) {
    case 'pending':
    case 'running':
      return `Running in Microsoft Graph with ${r.approvedBy?.name ?? 'the approver'}'s permissions. This card updates when it is done.`;
    case 'cancelled':
      return 'Cancelled by the requester. Nothing was changed.';
    case 'rejected':
      return `Rejected${r.rejectionReason ? `: ${r.rejectionReason}` : '.'} Nothing was changed.`;
    case 'unknown':
      return `The bot stopped while this was running in Microsoft Graph, so whether it took effect is unknown: verify in Entra before running the command again. The bot will not run it again on its own.`;
    case 'expired':
      return 'Nobody approved this in time, so it can no longer run. Nothing was changed; run the command again if it is still needed.';
    default:
      return r.result?.summary ?? '';
  }
}

/** Who did what and when, for the card's footer: the channel's record of the remediation. */
export function historyLine(r: Remediation): string {
  const who: string[] = [`Requested by ${r.requestedBy.name} at ${r.createdAt}`];
  if (r.approvedBy) who.push(`approved by ${r.approvedBy.name} at ${r.approvedAt ?? '?'}`);
  if (r.rejectedBy) who.push(`rejected by ${r.rejectedBy.name} at ${r.rejectedAt ?? '?'}`);
  if (r.cancelledBy) who.push(`cancelled by ${r.cancelledBy.name} at ${r.cancelledAt ?? '?'}`);
  if (r.expiredAt) who.push(`expired at ${r.expiredAt}`);
  if (r.finishedAt)
    who.push(`${r.state === 'unknown' ? 'interrupted; reconciled' : 'finished'} at ${r.finishedAt}`);
  return who.join('; ');
}

/** The card for a remediation past `pending`. */
export function outcomeCardData(r: Remediation): OutcomeCardData {
  const word = STATE_WORDS[r.state === 'pending' ? 'running' : r.state];
  return {
    rid: r.id,
    userIds: refreshUsers(r),
    state: r.result?.headline ?? word.state,
    color: r.result?.headline ? 'Warning' : word.color,
    title: r.confirmation.title,
    summary: summaryOf(r),
    facts: [...r.confirmation.facts, ...(r.result?.facts ?? [])],
    details: r.result?.details ?? [],
    graph: graphFacts(r),
    footer: `${historyLine(r)}. Remediation ${r.id} · ${r.command}`,
  };
}

/** Renders whichever card fits the remediation's state and the viewer. */
export function remediationCard(r: Remediation, view: CardView): AdaptiveCardJson {
  return r.state === 'pending'
    ? renderCard('confirmation', confirmationCardData(r, view))
    : renderCard('outcome', outcomeCardData(r));
}

/** A short error or answer card. */
export function noticeCard(
  data: Partial<NoticeCardData> & Pick<NoticeCardData, 'title' | 'text'>,
): AdaptiveCardJson {
  return renderCard('notice', { color: 'Default', usage: null, hint: null, ...data });
}
