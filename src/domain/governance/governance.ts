import type { Remediation } from '../remediation/remediation';
import { targetDescription } from '../remediation/remediation';
import type { AuditEvent, AuditLog, FailureFacts } from '../audit/audit-log';
import type { Authorizer } from './authorizer';

/** The policy and the audit trail together: what every remediation step consults and records. */
export interface Governance {
  readonly authorizer: Authorizer;
  readonly audit: AuditLog;
}

/** How a card describes the rule that governs an action, e.g. "four-eyes (actions.retry-provisioning)". */
export function ruleLabel(g: Governance, action: string): string {
  const rule = g.authorizer.ruleFor(action);
  return `${rule.mode} (${rule.source})`;
}

/**
 * What the trail keeps of the failure behind a remediation: when the bot first knew of it (its detection where
 * that came before the request, else the request) and the knowledge table's entry for
 * each diagnosed error, so `report` needs nothing but the trail.
 */
export function failureFacts(r: Remediation): FailureFacts {
  return {
    detectedAt: r.detectedAt ?? r.createdAt,
    causes: (r.confirmation.diagnoses ?? []).map((d) => d.entry ?? 'unknown'),
    ...(r.detectedAt ? { notified: true as const } : {}),
  };
}

/** Appends one audit entry about a remediation, with the facts of the failure it addresses. */
export function auditRemediation(
  g: Governance,
  r: Remediation,
  event: AuditEvent,
  actor: { readonly aadObjectId: string | undefined; readonly name: string },
  extra: {
    readonly detail?: string;
    readonly graph?: { status: number; requestId: string | undefined };
  } = {},
) {
  return g.audit.append({
    event,
    actor,
    conversationId: r.address.conversationId,
    remediationId: r.id,
    action: r.action,
    target: targetDescription(r),
    failure: failureFacts(r),
    ...extra,
  });
}
