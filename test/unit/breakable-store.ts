import type { DetectedFailure } from '../../src/notifications/failure';
import { MemoryStateStore } from '../../src/storage/memory-state-store';

/** The bot's storage, with writes of remediations failing while `broken` is set (a full or lost disk). */
export class BreakableStore extends MemoryStateStore {
  broken = true;
  override create<T>(key: string, value: T): Promise<string> {
    if (this.broken && key.startsWith('remediation/')) return Promise.reject(new Error('ENOSPC: disk full'));
    return super.create(key, value);
  }
}

/** Alice as Graph returns her, with a service provisioning error on record. */
export const ALICE = {
  id: '11111111-1111-1111-1111-111111111111',
  displayName: 'Alice Smith',
  userPrincipalName: 'alice@contoso.com',
  serviceProvisioningErrors: [{ serviceInstance: 'teams', isResolved: false, errorDetail: 'conflict' }],
};

/** Alice's provisioning failure as the monitor detects it, for a notice. */
export function aliceFailure(at: Date): DetectedFailure {
  return {
    kind: 'user-provisioning',
    objectId: ALICE.id,
    objectLabel: 'Alice Smith (alice@contoso.com)',
    errorCode: 'ProvisioningError/teams',
    errorMessage: 'conflict',
    occurredAt: at.toISOString(),
    remediation: { action: 'retry-provisioning', target: 'alice@contoso.com' },
  };
}
