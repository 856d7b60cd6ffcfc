import type { Fact } from '../actions/action';
import type { Remediation } from '../approvals/remediation';
import type { ConfirmationCardData, NoticeCardData, OutcomeCardData } from './card-data';
import { renderCard, type AdaptiveCardJson } from './render';

/** The confirmation card's data; `notice` is a message for the person who just clicked. */
export function confirmationCardData(
  r: Remediation,
  roles: readonly string[],
  notice?: string,
): ConfirmationCardData {
  return {
    rid: r.id,
    title: r.confirmation.title,
    why: r.confirmation.why,
    facts: r.confirmation.facts,
    problems: r.confirmation.problems,
    blocked: r.confirmation.blocked ?? null,
    notice: notice ?? null,
    requestedBy: r.requestedBy.name,
    command: r.command,
    roles: roles.join(', '),
  };
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
} as const;

/** The card for a remediation past `pending`: Running, Succeeded, Failed or Cancelled. */
export function outcomeCardData(r: Remediation): OutcomeCardData {
  const key = r.state === 'pending' ? 'running' : r.state;
  const word = STATE_WORDS[key];
  const who: string[] = [`Requested by ${r.requestedBy.name} at ${r.createdAt}`];
  if (r.approvedBy) who.push(`approved by ${r.approvedBy.name} at ${r.approvedAt ?? '?'}`);
  if (r.cancelledBy) who.push(`cancelled by ${r.cancelledBy.name} at ${r.cancelledAt ?? '?'}`);
  if (r.finishedAt) who.push(`finished at ${r.finishedAt}`);
  const summary =
    r.state === 'running'
      ? `Running in Microsoft Graph with ${r.approvedBy?.name ?? 'the approver'}'s permissions. This card updates when it is done.`
      : r.state === 'cancelled'
        ? 'Nothing was changed.'
        : (r.result?.summary ?? '');
  return {
    state: word.state,
    color: word.color,
    title: r.confirmation.title,
    summary,
    facts: [...r.confirmation.facts, ...(r.result?.facts ?? [])],
    details: r.result?.details ?? [],
    graph: graphFacts(r),
    footer: `${who.join('; ')}. Remediation ${r.id} · ${r.command}`,
  };
}

/** Renders whichever card fits the remediation's state. */
export function remediationCard(r: Remediation, roles: readonly string[], notice?: string): AdaptiveCardJson {
  return r.state === 'pending'
    ? renderCard('confirmation', confirmationCardData(r, roles, notice))
    : renderCard('outcome', outcomeCardData(r));
}

/** A short error or answer card. */
export function noticeCard(
  data: Partial<NoticeCardData> & Pick<NoticeCardData, 'title' | 'text'>,
): AdaptiveCardJson {
  return renderCard('notice', { color: 'Default', usage: null, hint: null, ...data });
}
