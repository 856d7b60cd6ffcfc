import { errorMessage } from '../../infra/logger';
import type { Feature } from '../shared/feature';
import { ApprovalHandler } from './approval-handler';
import type { ApprovalDeps } from './approval-deps';
import { reconcileInterruptedRuns, type ReconcileDeps } from './reconcile';

/** The remediate feature, with its approval buttons (tests and the shutdown drain reach them). */
export interface Remediate extends Feature {
  readonly approvals: ApprovalHandler;
}

/**
 * Single remediations after their confirmation card: Approve, Reject, Cancel, a pick from a list and refresh.
 * At start it settles the runs a stopped process left `running` as outcome unknown, then starts verifying. The commands that start a
 * remediation are the registry's, parsed by the command handler, so this feature adds no built-in command.
 */
export function createRemediate(deps: ApprovalDeps & ReconcileDeps): Remediate {
  const approvals = new ApprovalHandler(deps);
  let reconciling: Promise<unknown> = Promise.resolve();
  return {
    approvals,
    commands: [],
    cardActions: [approvals],
    start: () => {
      reconciling = reconcileInterruptedRuns(deps)
        .catch((err: unknown) =>
          deps.logger.error({ err: errorMessage(err) }, 'reconciling interrupted runs failed'),
        )
        .then(() => deps.verifier?.start());
    },
    close: async () => {
      await reconciling;
      await approvals.drain();
      await deps.verifier?.stop();
    },
  };
}
