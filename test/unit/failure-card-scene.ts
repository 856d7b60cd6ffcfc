import { defaultRegistry } from '../../src/domain/actions/registry';
import { RemediationStore } from '../../src/domain/remediation/remediation-store';
import { AuditLog } from '../../src/domain/audit/audit-log';
import type { CardActionHandler } from '../../src/features/shared/card-action-router';
import type { CardActionTurn } from '../../src/features/shared/turns';
import { Authorizer } from '../../src/domain/governance/authorizer';
import { defaultPolicy } from '../../src/domain/governance/policy';
import type { DetectedFailure } from '../../src/domain/failures/failure';
import { FailureLedger } from '../../src/features/notify/failure-ledger';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { channelAddress } from './channel-address';
import { ScriptedGraph } from './scripted-graph';
import { ManualClock } from '../fakes/manual-clock';

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

const NOW = new Date('2026-11-23T09:00:00Z');
const REGGIE = 'a0000000-0000-4000-8000-00000000000b';
const HOME = channelAddress();

/**
 * A failure card for Alice posted in a channel, on storage that refuses remediations until mended: what the
 * handlers of its Remediate and Remediate all buttons need, built from the real ledger, store and governance.
 */
export async function failureCardScene() {
  const clock = new ManualClock(NOW.getTime());
  const store = new BreakableStore();
  const ledger = new FailureLedger(store);
  const remediations = new RemediationStore(store);
  const governance = {
    authorizer: new Authorizer(defaultPolicy([REGGIE]), { memberOfAny: async () => false }),
    audit: new AuditLog(store, clock),
  };
  const graph = new ScriptedGraph({ 'GET /users/alice%40contoso.com': ALICE });
  const notice = await ledger.createNotice(aliceFailure(NOW), HOME.conversationId, NOW);
  /** Reggie's click on the card's `verb` button carrying `data`. */
  const click = (verb: string, data: unknown): CardActionTurn => ({
    verb,
    data,
    ssoToken: undefined,
    from: { id: '29:reggie', aadObjectId: REGGIE, name: 'Reggie' },
    address: HOME,
    cardActivityId: 'failure-card-1',
    origin: { tenantId: 't', teamId: undefined, channelId: undefined },
    correlationId: 'corr-1',
  });
  return {
    clock,
    store,
    ledger,
    remediations,
    governance,
    graph,
    registry: defaultRegistry(clock),
    notice,
    click,
  };
}

/**
 * Clicks while the storage refuses the remediation, then again once it is mended: the first click answers
 * NotSaved and leaves the notice unclaimed and no remediation behind; the second prepares the one it claims.
 */
export async function expectNotSavedThenPrepared(
  scene: Awaited<ReturnType<typeof failureCardScene>>,
  handler: CardActionHandler,
  turn: CardActionTurn,
): Promise<void> {
  const { store, ledger, notice } = scene;
  const failed = await handler.handle(turn);
  expect(failed).toMatchObject({ kind: 'error', status: 500, code: 'NotSaved' });
  expect(failed.kind === 'error' && failed.message).toMatch(/could not be saved, so nothing was run/);
  expect((await ledger.notice(notice.id))?.remediationId).toBeUndefined();
  expect(await store.list('remediation/')).toEqual([]);

  store.broken = false;
  const answered = await handler.handle(turn);
  expect(answered.kind).toBe('card');
  const holder = (await ledger.notice(notice.id))?.remediationId;
  expect(await store.list('remediation/')).toEqual([`remediation/${holder ?? ''}`]);
}
