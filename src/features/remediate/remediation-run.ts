import { auditRemediation } from '../../domain/governance/governance';
import {
  finishRun,
  outcomeEvent,
  type Remediation,
  type RemediationResult,
} from '../../domain/remediation/remediation';
import type { GraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import type { Logger } from '../../infra/logger';
import { describeError, type ApprovalContext } from './approval-context';
import { explainFailure } from './failure-explanation';

/**
 * Runs an approved single remediation in Graph with the approver's client, records Graph's answer (or the
 * failure, explained) as the run's result, closes the run in the store and the audit trail, and shows the
 * outcome to everyone with a reply in the thread. Resolves the remediation as recorded.
 */
export async function runRemediation(
  ctx: ApprovalContext,
  r: Remediation,
  graph: GraphApi,
  clickedCardId: string | undefined,
  log: Logger,
): Promise<Remediation> {
  const { store, clock, governance, verifier } = ctx.deps;
  const result = await callGraph(ctx, r, graph, log);
  const verification = verifier?.initial(ctx.action(r), result.outcome);
  if (verification?.status === 'verifying') await verifier?.plan(r.id, clock.now());
  const saved = await store.update(r.id, (current) => {
    const done = finishRun(current, result, new Date(clock.now()));
    if (!done) return undefined;
    return {
      ...done,
      ...(verification ? { verification } : {}),
      // Verification updates the card later, outside any click: it needs the card's activity id.
      ...(clickedCardId && !done.cardActivityId ? { cardActivityId: clickedCardId } : {}),
    };
  });
  const final = saved?.value ?? r;
  await store.clearRunning(r.id);
  await auditRemediation(
    governance,
    final,
    outcomeEvent(result.outcome),
    r.approvedBy ?? { aadObjectId: undefined, name: 'unknown' },
    {
      ...(result.graph ? { graph: { status: result.graph.status, requestId: result.graph.requestId } } : {}),
      ...(result.graph?.code ? { detail: result.graph.code } : {}),
    },
  );
  log.info(
    { outcome: final.state, graphStatus: result.graph?.status, requestId: result.graph?.requestId },
    'remediation finished',
  );
  await ctx.publish(final, clickedCardId, log, true);
  return final;
}

/**
 * Whether a failed write may still have taken effect: no answer (a timeout, a connection dropped after the
 * request left) or a 5xx other than 503 says nothing about it, as bulk runs read the same answers.
 */
function outcomeOpen(f: GraphFailure | undefined): boolean {
  return !f || f.status === 0 || (f.status >= 500 && f.status !== 503);
}

/**
 * The action's Graph call and its meaning; a failure becomes a failed result (or an unknown one where the
 * write may have run), never an exception.
 */
async function callGraph(
  ctx: ApprovalContext,
  r: Remediation,
  graph: GraphApi,
  log: Logger,
): Promise<RemediationResult> {
  const action = ctx.action(r);
  try {
    const response = await action.execute(r.target, graph);
    const meaning = action.interpret(r.target, response);
    return {
      ...meaning,
      graph: {
        status: response.status,
        code: undefined,
        message: undefined,
        requestId: response.requestId,
        date: response.date,
      },
    };
  } catch (err) {
    const failure = err instanceof GraphFailure ? err : undefined;
    if (!failure) log.error({ err: describeError(err) }, 'remediation threw');
    return {
      outcome: outcomeOpen(failure) ? 'unknown' : 'failed',
      summary: failure
        ? explainFailure(action, r.approvedBy?.name ?? 'the approver', failure)
        : 'The bot hit an unexpected error; the outcome is unknown. Check the target in Entra before running the command again.',
      facts: [],
      details: [],
      graph: failure
        ? {
            status: failure.status,
            code: failure.code,
            message: failure.message,
            requestId: failure.requestId,
            date: failure.date,
          }
        : undefined,
    };
  }
}
