import type { Fact } from '../actions/action';
import type { Remediation } from '../approvals/remediation';
import type { AuditEntry } from '../audit/audit-log';
import { historyLine, outcomeCardData } from './remediation-cards';
import { renderCard, type AdaptiveCardJson } from './render';

/** Data for cards/history.json. */
export interface HistoryCardData {
  readonly filters: string;
  readonly entries: readonly {
    readonly headline: string;
    readonly target: string;
    readonly footnote: string;
  }[];
  /** Card data for the "Older entries" button, or null on the last page. */
  readonly more: Record<string, unknown> | null;
}

/** Data for cards/status.json. */
export interface StatusCardData {
  readonly state: string;
  readonly color: string;
  readonly title: string;
  readonly facts: readonly Fact[];
  readonly timeline: readonly string[];
  readonly footer: string;
}

const EVENT_WORDS: Readonly<Record<AuditEntry['event'], string>> = {
  requested: 'Requested',
  'request-refused': 'Request refused',
  approved: 'Approved',
  'approval-refused': 'Approval refused',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  expired: 'Expired',
  succeeded: 'Succeeded',
  failed: 'Failed',
  'outcome-unknown': 'Outcome unknown',
};

function footnote(e: AuditEntry): string {
  const parts = [`by ${e.actor.name}`];
  if (e.detail) parts.push(e.detail);
  if (e.graph)
    parts.push(`Graph ${e.graph.status}${e.graph.requestId ? `, request-id ${e.graph.requestId}` : ''}`);
  if (e.remediationId) parts.push(`remediation ${e.remediationId}`);
  return parts.join(' · ');
}

/** One page of the audit trail, newest first. */
export function historyCard(
  filters: string,
  entries: readonly AuditEntry[],
  more: Record<string, unknown> | null,
): AdaptiveCardJson {
  const data: HistoryCardData = {
    filters,
    entries: entries.map((e) => ({
      headline: `${e.at} · ${EVENT_WORDS[e.event]} · ${e.action}`,
      target: e.target,
      footnote: footnote(e),
    })),
    more,
  };
  return renderCard('history', data);
}

/** One remediation's current state and its timeline from the audit trail. */
export function statusCard(r: Remediation, timeline: readonly AuditEntry[]): AdaptiveCardJson {
  const outcome = outcomeCardData(r);
  const data: StatusCardData = {
    state: r.state === 'pending' ? 'Pending approval' : outcome.state,
    color: r.state === 'pending' ? 'Accent' : outcome.color,
    title: r.confirmation.title,
    facts: [...outcome.facts, ...(outcome.graph ?? []), { title: 'Expires', value: r.expiresAt ?? 'never' }],
    timeline: timeline.map((e) => `${e.at} · ${EVENT_WORDS[e.event]} · ${footnote(e)}`),
    footer: `${historyLine(r)}. Remediation ${r.id} · ${r.command}`,
  };
  return renderCard('status', data);
}
