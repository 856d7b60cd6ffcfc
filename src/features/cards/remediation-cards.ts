import type { Fact, RemediationAction } from '../../domain/actions/action';
import { ruleLabel, type Governance } from '../../domain/governance/governance';
import type { Remediation } from '../../domain/remediation/remediation';
import type {
  ChoiceCardData,
  ConfirmationCardData,
  NoticeCardData,
  OutcomeCardData,
  PendingApprovalData,
} from './card-data';
import { idLine, sortFacts } from './card-facts';
import { clip, clipFacts, firstOf, localTime, ROOM } from './card-text';
import { approvalWindow, localTimesIn } from './relative-time';
import { diagnosisView } from './diagnosis-cards';
import { renderCard, type AdaptiveCardJson } from './render';
import { PICK_LIST_SIZE } from '../../infra/graph/directory-lookup';

/** Failures on record listed on a confirmation; the rest are counted. */
export const LISTED_PROBLEMS = 10;

/** Result lines (provisioning steps, licence states) listed on an outcome; the rest are counted. */
export const LISTED_DETAILS = 20;

function listLines(lines: readonly string[], max: number, noun: string): string[] {
  const { shown, more } = firstOf(lines, max, (rest) => `… and ${rest} more${noun}`);
  return [...shown.map((line) => localTimesIn(clip(line, ROOM.line))), ...(more ? [more] : [])];
}

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

/** Who may approve, in words: the rule, whether the requester may, and the role Graph will require. */
function approvalText(r: Remediation, view: CardView): string {
  const [mode, ...source] = view.approvalRule.split(' ');
  const rule = source.join(' ').replace(/^\((.*)\)$/, '$1');
  const who =
    mode === 'self'
      ? `Someone the approval policy lets approve (rule ${rule}), ${r.requestedBy.name} included.`
      : `Someone the approval policy lets approve (rule ${rule}), other than ${r.requestedBy.name}: four-eyes.`;
  return `${who} It then runs with their own Entra role, which Microsoft Graph requires to be one of: ${view.roles.join(', ')}.`;
}

/** The part of a card awaiting approval that single and bulk confirmations share, for one viewer or everyone. */
export function pendingApprovalData(r: Remediation, view: CardView): PendingApprovalData {
  const open = r.state === 'pending' && !r.confirmation.blocked;
  const { facts, times, ids } = sortFacts(clipFacts(r.confirmation.facts));
  return {
    rid: r.id,
    title: clip(r.confirmation.title, ROOM.title),
    why: clip(r.confirmation.why, ROOM.paragraph),
    facts,
    times,
    blocked: r.confirmation.blocked ? clip(r.confirmation.blocked, ROOM.paragraph) : null,
    notice: view.notice ? clip(view.notice, ROOM.paragraph) : null,
    requestedBy: clip(r.requestedBy.name, ROOM.name),
    command: clip(r.command, ROOM.title),
    approval: clip(approvalText(r, view), ROOM.paragraph),
    expires: r.expiresAt
      ? approvalWindow(r.createdAt, r.expiresAt)
      : 'Can be approved at any time: it does not expire.',
    ids: idLine(ids),
    showApprove: open && (view.viewer?.canApprove ?? true),
    showReject: open && (view.viewer?.canApprove ?? true),
    showCancel: open && (view.viewer?.isRequester ?? true),
    userIds: refreshUsers(r),
  };
}

/** The confirmation card's data for one viewer (or for everyone). */
export function confirmationCardData(r: Remediation, view: CardView): ConfirmationCardData {
  const base = pendingApprovalData(r, view);
  const diagnosis = diagnosisView(r.confirmation.diagnoses);
  // Where a retry cannot help yet, Approve gives way to Retry anyway, which asks for a reason.
  const onlyAnyway = diagnosis.retryBlocked !== null;
  const read = sortFacts(diagnosis.diagnosisFacts);
  return {
    ...base,
    ...diagnosis,
    diagnosisFacts: read.facts,
    times: [...base.times, ...read.times],
    ids: idLine([...(base.ids ? [base.ids] : []), ...read.ids]),
    showApprove: base.showApprove && !onlyAnyway,
    showRetryAnyway: base.showApprove && onlyAnyway,
    problems: listLines(r.confirmation.problems, LISTED_PROBLEMS, ' on record'),
  };
}

function graphFacts(r: Remediation): Fact[] | null {
  const g = r.result?.graph;
  if (!g) return null;
  const facts: Fact[] = [{ title: 'Graph status', value: String(g.status || 'no answer') }];
  if (g.code) facts.push({ title: 'Error code', value: clip(g.code, ROOM.line) });
  if (g.message) facts.push({ title: 'Graph message', value: clip(g.message, ROOM.paragraph) });
  return facts;
}

/** Graph's request-id and answer time, for the footer: what Microsoft support asks for. */
function graphIds(r: Remediation): string[] {
  const g = r.result?.graph;
  if (!g?.requestId) return [];
  return [
    `Graph request-id ${clip(g.requestId, ROOM.name)}${g.date ? `, answered ${localTime(g.date)}` : ''}`,
  ];
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
      return `Rejected${r.rejectionReason ? `: ${asSentence(r.rejectionReason)}` : '.'} Nothing was changed.`;
    case 'unknown':
      if (r.result) return r.result.summary;
      return `The bot stopped while this was running in Microsoft Graph, so whether it took effect is unknown: verify in Entra before running the command again. The bot will not run it again on its own.`;
    case 'expired':
      return 'Nobody approved this in time, so it can no longer run. Nothing was changed; run the command again if it is still needed.';
    default:
      return r.result?.summary ?? '';
  }
}

/** Someone's words as a sentence: ended with a full stop unless they end in one of their own. */
function asSentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…]["')\]]*$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/**
 * The confirmation's facts with what the run read afterwards: a fact read again (e.g. the number of licence
 * assignments) takes the place of the one read before, so no row appears twice.
 */
function withLaterFacts(before: readonly Fact[], after: readonly Fact[]): Fact[] {
  const later = new Map(after.map((f) => [f.title, f]));
  const kept = before.map((f) => later.get(f.title) ?? f);
  return [...kept, ...after.filter((f) => !before.some((b) => b.title === f.title))];
}

/** Who did what and when, for the card's footer: the channel's record of the remediation. */
export function historyLine(r: Remediation): string {
  const name = (who: { readonly name: string }) => clip(who.name, ROOM.name);
  const who: string[] = [`Requested by ${name(r.requestedBy)} ${localTime(r.createdAt)}`];
  if (r.approvedBy) who.push(`approved by ${name(r.approvedBy)} ${localTime(r.approvedAt)}`);
  if (r.rejectedBy) who.push(`rejected by ${name(r.rejectedBy)} ${localTime(r.rejectedAt)}`);
  if (r.cancelledBy) who.push(`cancelled by ${name(r.cancelledBy)} ${localTime(r.cancelledAt)}`);
  if (r.expiredAt) who.push(`expired ${localTime(r.expiredAt)}`);
  if (r.finishedAt)
    who.push(
      `${r.state === 'unknown' && !r.result ? 'interrupted; reconciled' : 'finished'} ${localTime(r.finishedAt)}`,
    );
  return who.join('; ');
}

/** The footer of every card of a remediation: its history, its id for `status`, the command, and other ids. */
export function remediationFooter(r: Remediation, ids = ''): string {
  return `${historyLine(r)}. Remediation ${r.id} · ${clip(r.command, ROOM.title)}${ids ? ` · ${ids}` : ''}`;
}

/** The headline and colour verification gives a card, where the remediation is verified. */
export function verificationWords(
  r: Remediation,
): { state: string; color: OutcomeCardData['color'] } | undefined {
  const v = r.verification;
  if (!v) return undefined;
  const unknown = r.state === 'unknown';
  switch (v.status) {
    case 'off':
      return unknown ? undefined : { state: 'Accepted by Microsoft Graph', color: 'Good' };
    case 'verifying':
      return unknown
        ? { state: 'Outcome unknown, verifying', color: 'Warning' }
        : { state: 'Accepted by Microsoft Graph, verifying', color: 'Accent' };
    case 'resolved':
      return { state: 'Resolved', color: 'Good' };
    case 'still-failing':
      return { state: 'Still failing', color: 'Attention' };
    case 'unverified':
      return { state: 'Could not verify', color: 'Warning' };
  }
}

/** What verification says on the card, before Graph's own answer. */
function verificationText(r: Remediation): string | undefined {
  const v = r.verification;
  if (!v) return undefined;
  const at = localTime(v.checkedAt);
  switch (v.status) {
    case 'off':
      return 'Not verified: verification is off (VERIFY_AFTER is empty), so whether the failure is gone was not checked. Look at the target in Entra in a few minutes.';
    case 'verifying':
      return v.made === 0
        ? `The bot re-reads the target ${v.planned} time${v.planned === 1 ? '' : 's'} to see whether the failure is gone, and updates this card.`
        : `Not resolved yet at check ${v.made} of ${v.planned} (${at}): ${(v.note ?? '').replace(/\.$/, '')}. The bot checks again and updates this card.`;
    case 'resolved':
      return `Verified ${at}: ${v.note ?? 'the failure is gone'}.`;
    case 'still-failing':
      return `Still failing at the last check (${at}, ${v.made} of ${v.planned}): ${v.note ?? ''}. Next step: ${v.nextStep ?? 'a retry will not help until the cause is fixed: open the error in the Entra admin center, fix what it names, then run the command again.'}`;
    case 'unverified':
      return `Could not verify (${at}): ${v.note ?? ''}`;
  }
}

/** The word a card and a reply lead with: the verification's, the result's own headline, or the state's. */
export function outcomeHeadline(r: Remediation): string {
  return (
    verificationWords(r)?.state ??
    r.result?.headline ??
    STATE_WORDS[r.state === 'pending' ? 'running' : r.state].state
  );
}

/** The card for a remediation past `pending`. */
export function outcomeCardData(r: Remediation): OutcomeCardData {
  const word = STATE_WORDS[r.state === 'pending' ? 'running' : r.state];
  const verified = verificationWords(r);
  const note = verificationText(r);
  const { facts, times, ids } = sortFacts(
    clipFacts(withLaterFacts(r.confirmation.facts, r.result?.facts ?? [])),
  );
  return {
    rid: r.id,
    userIds: refreshUsers(r),
    state: clip(outcomeHeadline(r), ROOM.name),
    color: verified?.color ?? (r.result?.headline ? 'Warning' : word.color),
    title: clip(r.confirmation.title, ROOM.title),
    summary: clip(note ? `${note} ${summaryOf(r)}` : summaryOf(r), ROOM.paragraph),
    facts,
    times,
    details: listLines(
      [...(r.verification?.details ?? []), ...(r.result?.details ?? [])],
      LISTED_DETAILS,
      '',
    ),
    graph: graphFacts(r),
    footer: remediationFooter(r, idLine([...ids, ...graphIds(r)])),
  };
}

/** Renders whichever card fits the remediation's state and the viewer. */
export function remediationCard(r: Remediation, view: CardView): AdaptiveCardJson {
  return r.state === 'pending'
    ? renderCard('confirmation', confirmationCardData(r, view))
    : renderCard('outcome', outcomeCardData(r));
}

/** A short error or answer card; its text may quote Graph or the user, so each part is clipped. */
export function noticeCard(
  data: Partial<NoticeCardData> & Pick<NoticeCardData, 'title' | 'text'>,
): AdaptiveCardJson {
  return renderCard('notice', {
    color: data.color ?? 'Default',
    title: clip(data.title, ROOM.title),
    text: clip(data.text, ROOM.paragraph),
    usage: data.usage ? clip(data.usage, ROOM.line) : null,
    hint: data.hint ? clip(data.hint, ROOM.line) : null,
    run: data.run ? { title: clip(data.run.title, ROOM.name), command: data.run.command } : null,
  });
}

/** A card to pick one of several objects that matched a name; labels and details come from Graph. */
export function choiceCard(data: ChoiceCardData): AdaptiveCardJson {
  return renderCard('choice', {
    prompt: clip(data.prompt, ROOM.paragraph),
    candidates: data.candidates.slice(0, PICK_LIST_SIZE).map((c) => ({
      ...c,
      label: clip(c.label, ROOM.title),
      detail: clip(c.detail, ROOM.line),
    })),
  });
}

/** The shared view of a remediation's card: every button, each checked on click. */
export function sharedView(g: Governance, action: RemediationAction, notice?: string): CardView {
  return { roles: action.roles, approvalRule: ruleLabel(g, action.name), ...(notice ? { notice } : {}) };
}
