import type { Clock } from '../../infra/clock';
import { auditRemediation, type Governance } from '../governance/governance';
import { expire, isOverdue, type Remediation } from './remediation';
import type { RemediationStore } from './remediation-store';

/**
 * Records the expiry of a pending remediation whose window has passed, once (the conditional write
 * decides who records it), and returns the remediation as it now stands.
 */
export async function settleExpiry(
  r: Remediation,
  store: RemediationStore,
  governance: Governance,
  clock: Clock,
): Promise<{ remediation: Remediation; justExpired: boolean }> {
  if (!isOverdue(r, new Date(clock.now()))) return { remediation: r, justExpired: false };
  const updated = await store.update(r.id, (current) => expire(current, new Date(clock.now())));
  if (updated?.changed) {
    await auditRemediation(governance, updated.value, 'expired', { aadObjectId: undefined, name: 'the bot' });
  }
  return { remediation: updated?.value ?? r, justExpired: updated?.changed ?? false };
}
