import type { RemediationResult } from '../../domain/remediation/remediation';
import type { BulkTarget } from '../../domain/remediation/bulk-target';
import type { TargetOutcome } from '../cards/bulk-cards';
import type { RunCounts } from './item-states';
import { CHUNK_SIZE, type ChunkRecord, type ItemState } from './bulk-store';

/** Each target with its stored item state, in target order (a chunk holds consecutive targets). */
function eachItem(
  target: BulkTarget,
  chunks: readonly ChunkRecord[],
  visit: (item: BulkTarget['items'][number], state: ItemState) => void,
): void {
  for (const chunk of chunks) {
    chunk.items.forEach((state, offset) => {
      const item = target.items[chunk.index * CHUNK_SIZE + offset];
      if (item) visit(item, state);
    });
  }
}

/** The targets that have an outcome, as the summary card lists them. */
export function itemOutcomes(target: BulkTarget, chunks: readonly ChunkRecord[]): TargetOutcome[] {
  const outcomes: TargetOutcome[] = [];
  eachItem(target, chunks, (item, state) => {
    if (state.s !== 'done' && state.s !== 'unknown') return;
    const outcome = state.s === 'done' ? state.outcome : 'unknown';
    const { checked } = state;
    outcomes.push({
      label: item.label,
      outcome,
      detail: checked?.note ?? state.summary,
      ...(checked ? { checked: checked.v } : {}),
    });
  });
  return outcomes;
}

/** The targets Retry failed offers again: those that failed and those whose outcome is unknown. */
export function failedItemIds(target: BulkTarget, chunks: readonly ChunkRecord[]): string[] {
  const ids: string[] = [];
  eachItem(target, chunks, (item, state) => {
    if ((state.s === 'done' && state.outcome === 'failed') || state.s === 'unknown') ids.push(item.id);
  });
  return ids;
}

/**
 * A finished run as the remediation's one result: succeeded only when Graph accepted every target (accepted,
 * not fixed: verification says which were).
 */
export function runResult(counts: RunCounts, outcomes: readonly TargetOutcome[]): RemediationResult {
  const failedLines = outcomes.filter((o) => o.outcome !== 'succeeded');
  return {
    outcome: counts.failed + counts.unknown === 0 ? 'succeeded' : 'failed',
    summary: `${counts.succeeded} of ${counts.total} accepted by Microsoft Graph; ${counts.failed} failed; ${counts.unknown} with an unknown outcome.`,
    facts: [
      { title: 'Accepted', value: String(counts.succeeded) },
      { title: 'Failed', value: String(counts.failed) },
      { title: 'Outcome unknown', value: String(counts.unknown) },
    ],
    details: failedLines.slice(0, 20).map((o) => `${o.label}: ${o.detail}`),
    graph: undefined,
  };
}
