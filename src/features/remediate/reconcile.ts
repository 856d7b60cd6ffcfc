import type { ActionRegistry } from '../../domain/actions/registry';
import { outcomeHeadline, remediationCard, sharedView } from '../cards/remediation-cards';
import type { Messenger } from '../shared/turns';
import type { Clock } from '../../infra/clock';
import { auditRemediation, type Governance } from '../../domain/governance/governance';
import { errorMessage, type Logger } from '../../infra/logger';
import {
  markOutcomeUnknown,
  type Remediation,
  type RunnerIdentity,
} from '../../domain/remediation/remediation';
import type { RemediationStore } from '../../domain/remediation/remediation-store';
import { runnerGone } from '../../domain/remediation/runner-liveness';
import { outcomeNotice } from './outcome-notice';
import type { Verifier } from './verification';

/** What reconciling interrupted runs needs. */
export interface ReconcileDeps {
  readonly store: RemediationStore;
  readonly registry: ActionRegistry;
  readonly governance: Governance;
  readonly messenger: Messenger;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This process; its own runs are never reconciled. */
  readonly instance: RunnerIdentity;
  /** After this long a run is presumed dead even if its process cannot be checked (another host). */
  readonly staleAfterMs: number;
  /** Verifies what a dead run may have applied, like an accepted one; absent: nothing is verified. */
  readonly verifier?: Verifier;
  /** Whether a process on this host still runs; injectable for tests. */
  readonly isAlive?: (pid: number) => boolean;
}

function interrupted(r: Remediation, deps: ReconcileDeps): boolean {
  return runnerGone(r.runner, r.approvedAt, {
    self: deps.instance,
    now: deps.clock.now(),
    staleAfterMs: deps.staleAfterMs,
    ...(deps.isAlive ? { isAlive: deps.isAlive } : {}),
  });
}

/**
 * Finds remediations a dead process left in `running` and closes them as "Outcome unknown", never
 * re-running them: Graph may or may not have applied the change, so a person must check in Entra.
 * The card is updated for everyone, the thread is told, and the audit trail records it.
 */
export async function reconcileInterruptedRuns(deps: ReconcileDeps): Promise<Remediation[]> {
  const settled: Remediation[] = [];
  for (const id of await deps.store.listRunning()) {
    const r = await deps.store.get(id);
    if (!r || r.state !== 'running') {
      await deps.store.clearRunning(id);
      continue;
    }
    if (!interrupted(r, deps)) continue;
    const action = deps.registry.find(r.action);
    const verification = action ? deps.verifier?.initial(action, 'unknown') : undefined;
    if (verification?.status === 'verifying') await deps.verifier?.plan(id, deps.clock.now());
    const updated = await deps.store.update(id, (current) => {
      const closed = markOutcomeUnknown(current, new Date(deps.clock.now()));
      return closed && verification ? { ...closed, verification } : closed;
    });
    await deps.store.clearRunning(id);
    if (!updated?.changed) continue;
    const final = updated.value;
    settled.push(final);
    await auditRemediation(
      deps.governance,
      final,
      'outcome-unknown',
      { aadObjectId: undefined, name: 'the bot' },
      {
        detail: `interrupted run of ${r.runner?.host ?? 'an unknown host'}:${r.runner?.pid ?? '?'}`,
      },
    );
    deps.logger.warn(
      { remediationId: id, runner: r.runner },
      'interrupted remediation reconciled as outcome unknown',
    );
    if (!action) continue;
    const card = remediationCard(final, sharedView(deps.governance, action));
    const summary = `${outcomeHeadline(final)}: ${final.confirmation.title}`;
    try {
      if (final.cardActivityId)
        await deps.messenger.updateCard(final.address, final.cardActivityId, card, summary);
      await deps.messenger.postNotice(final.address, outcomeNotice(final, outcomeHeadline(final)));
    } catch (err) {
      deps.logger.error({ remediationId: id, err: errorMessage(err) }, 'could not post the reconciled card');
    }
  }
  return settled;
}
