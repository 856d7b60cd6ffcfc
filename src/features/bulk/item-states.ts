import type { ChunkRecord, ItemState } from './bulk-store';

/** How far a run has come. */
export interface RunCounts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Sent when the bot stopped: Graph may or may not have run them, and they are never sent again. */
  readonly unknown: number;
  readonly remaining: number;
}

const UNKNOWN_SUMMARY =
  'The bot stopped while Microsoft Graph had this request, so whether it ran is unknown. It was not sent again: check the target in Entra, then use Retry failed if it is still needed.';

/** An item Graph may or may not have run (no answer for it): it is never sent again. */
export function unknownOutcome(): ItemState {
  return { s: 'unknown', summary: UNKNOWN_SUMMARY };
}

/** An item to send (again), with how often Graph has answered it 429 or 503 so far. */
export function pending(throttled: number): ItemState {
  return throttled > 0 ? { s: 'pending', throttled } : { s: 'pending' };
}

/** Counts item states. */
export function countStates(chunks: readonly ChunkRecord[]): RunCounts {
  let succeeded = 0;
  let failed = 0;
  let unknown = 0;
  let total = 0;
  for (const chunk of chunks) {
    for (const item of chunk.items) {
      total++;
      if (item.s === 'done') {
        if (item.outcome === 'succeeded') succeeded++;
        else failed++;
      } else if (item.s === 'unknown') unknown++;
    }
  }
  return { total, succeeded, failed, unknown, remaining: total - succeeded - failed - unknown };
}

/** Items that were in flight when a process stopped: their outcome is unknown, and they must not go again. */
export function settleInterrupted(chunk: ChunkRecord): ChunkRecord | undefined {
  if (!chunk.items.some((i) => i.s === 'sent')) return undefined;
  return {
    ...chunk,
    items: chunk.items.map((i): ItemState => (i.s === 'sent' ? unknownOutcome() : i)),
  };
}
