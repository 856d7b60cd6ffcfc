import type { RemediationAction } from '../../domain/actions/action';
import type { ActionRegistry } from '../../domain/actions/registry';
import type { Governance } from '../../domain/governance/governance';
import type { Remediation, RunnerIdentity } from '../../domain/remediation/remediation';
import type { RemediationStore } from '../../domain/remediation/remediation-store';
import type { Clock } from '../../infra/clock';
import type { DelegatedGraphFactory } from '../../infra/graph/graph-api';
import type { Logger } from '../../infra/logger';
import type { StateStore } from '../../infra/storage/state-store';
import type { TargetResolver } from '../remediate/target-resolver';
import type { Verifier } from '../remediate/verification';
import type { ApproverSignIn } from '../shared/approver-sign-in';
import { RefreshingToken, type IssuedToken } from '../shared/delegated-token';
import type { Messenger } from '../shared/turns';

/** Everything bulk runs depend on; app.ts wires the real ones, tests the fakes on the wire. */
export interface BulkServiceDeps {
  readonly registry: ActionRegistry;
  readonly remediations: RemediationStore;
  readonly store: StateStore;
  readonly resolver: TargetResolver;
  readonly governance: Governance;
  readonly messenger: Messenger;
  /** Proves who clicked Resume and exchanges their sign-in, exactly as for Approve. */
  readonly signIn: ApproverSignIn;
  /** Timestamps, pacing, Retry-After and the 3 s progress gap (a manual clock in tests). */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instance: RunnerIdentity;
  readonly concurrency: number;
  /** On-behalf-of exchange of an approver's SSO token in their tenant. */
  readonly exchange: (tenantId: string, assertion: string) => Promise<IssuedToken>;
  /** The approver's Graph client for the run, over a token renewed on-behalf-of them as it nears expiry. */
  readonly delegatedGraph: DelegatedGraphFactory;
  /**
   * Key material for sealing the approver's SSO token in the store, so a restarted bot resumes the run by
   * itself; without it a restart pauses the run until someone clicks Resume.
   */
  readonly sealKey?: Buffer;
  readonly staleAfterMs?: number;
  readonly isAlive?: (pid: number) => boolean;
  readonly progressGapMs?: number;
  /** Plans the checks of a finished run's accepted targets (VERIFY_AFTER); none when absent. */
  readonly verifier?: Pick<Verifier, 'initial' | 'plan'>;
}

/** The action a bulk remediation runs; a record naming an action this build lacks cannot be run or drawn. */
export function actionOf(registry: ActionRegistry, r: Pick<Remediation, 'action' | 'id'>): RemediationAction {
  const action = registry.find(r.action);
  if (!action) throw new Error(`Bulk remediation ${r.id} names unknown action ${r.action}`);
  return action;
}

/** The approver's Graph token for a run, exchanged on-behalf-of them in their tenant and renewed before it expires. */
export function approverToken(
  deps: Pick<BulkServiceDeps, 'exchange' | 'clock'>,
  tenantId: string,
  ssoToken: string,
): RefreshingToken {
  return new RefreshingToken(
    ssoToken,
    (assertion) => deps.exchange(tenantId, assertion),
    () => deps.clock.now(),
  );
}

/** An error for the log with its class name, which tells a token refusal from a store failure. */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
