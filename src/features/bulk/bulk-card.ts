import type { Remediation } from '../../domain/remediation/remediation';
import type { BulkTarget } from '../../domain/remediation/bulk-target';
import { bulkConfirmationCard, bulkProgressCard, type ProgressView } from '../cards/bulk-cards';
import type { CardView } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import { countStates } from './item-states';
import type { BulkRuns } from './bulk-runs';
import type { BulkStore } from './bulk-store';
import { itemOutcomes } from './run-outcomes';

/** The live numbers of the runs this process holds; the store has the others'. */
type LiveRuns = Pick<BulkRuns, 'liveCounts'>;

/**
 * The card of a bulk remediation in any state BulkService owns: the confirmation while it is pending, then its
 * progress (running, paused with the reason, or finished with each target's outcome).
 */
export async function bulkCard(
  bulk: BulkStore,
  runs: LiveRuns,
  r: Remediation,
  view: CardView,
): Promise<AdaptiveCardJson> {
  const target = r.target as BulkTarget;
  if (r.state === 'pending') return bulkConfirmationCard(r, target, view);
  return bulkProgressCard(r, await progressView(bulk, runs, r, view.notice));
}

async function progressView(
  bulk: BulkStore,
  runs: LiveRuns,
  r: Remediation,
  notice: string | undefined,
): Promise<ProgressView> {
  const target = r.target as BulkTarget;
  const withNotice = notice ? { notice } : {};
  const live = runs.liveCounts(r.id);
  if (live && r.state === 'running') {
    return { phase: 'running', numbers: live, skipped: target.skipped.length, ...withNotice };
  }
  const run = await bulk.run(r.id);
  const chunks = run ? await bulk.chunks(r.id, run.chunks) : [];
  const numbers = run
    ? countStates(chunks)
    : { total: target.items.length, succeeded: 0, failed: 0, unknown: 0, remaining: target.items.length };
  if (run?.state === 'paused') {
    return {
      phase: 'paused',
      numbers,
      skipped: target.skipped.length,
      ...(run.pausedReason ? { pausedReason: run.pausedReason } : {}),
      ...withNotice,
    };
  }
  if (r.state === 'running')
    return { phase: 'running', numbers, skipped: target.skipped.length, ...withNotice };
  return {
    phase: 'finished',
    numbers,
    skipped: target.skipped.length,
    outcomes: itemOutcomes(target, chunks),
    ...withNotice,
  };
}
