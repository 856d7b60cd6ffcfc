import { CHUNK_SIZE, type BulkStore, type ChunkRecord, type ItemState } from './bulk-store';
import { countStates, type RunCounts } from './item-states';

/**
 * A run's item states, by position: changed in memory at once (so the runner decides on the latest), and
 * written to the store chunk by chunk in order, each write carrying the chunk's latest state. The first failed
 * write calls `onWriteFailure` (the runner stops sending) and every later write is refused.
 */
export class RunItems {
  private readonly chunks: ChunkRecord[];
  /** Per chunk, the latest write to the store: writes of one chunk go in order, each with its latest state. */
  private readonly writes = new Map<number, Promise<void>>();
  private writeFailure: { error: unknown } | undefined;

  constructor(
    private readonly store: BulkStore,
    private readonly runId: string,
    chunks: readonly ChunkRecord[],
    private readonly onWriteFailure: () => void,
  ) {
    this.chunks = [...chunks];
  }

  /** Positions of the items still to send, in order. */
  pendingPositions(): number[] {
    return this.chunks.flatMap((chunk) =>
      chunk.items.flatMap((state, offset) =>
        state.s === 'pending' ? [chunk.index * CHUNK_SIZE + offset] : [],
      ),
    );
  }

  stateOf(at: number): ItemState | undefined {
    return this.chunks[Math.floor(at / CHUNK_SIZE)]?.items[at % CHUNK_SIZE];
  }

  counts(): RunCounts {
    return countStates(this.chunks);
  }

  /** The item states by chunk, for the summary. */
  states(): readonly ChunkRecord[] {
    return this.chunks;
  }

  /** Applies item states (by position) in memory at once; resolves when the store has every chunk touched. */
  async record(updates: ReadonlyArray<readonly [number, ItemState]>): Promise<void> {
    const byChunk = new Map<number, Array<readonly [number, ItemState]>>();
    for (const update of updates) {
      const index = Math.floor(update[0] / CHUNK_SIZE);
      byChunk.set(index, [...(byChunk.get(index) ?? []), update]);
    }
    await Promise.all(
      [...byChunk].map(([index, changes]) =>
        this.save(index, (items) => {
          for (const [at, state] of changes) items[at % CHUNK_SIZE] = state;
        }),
      ),
    );
  }

  /** Resolves when every write queued so far has landed; rejects with the first failed write's error. */
  async written(): Promise<void> {
    await Promise.all(this.writes.values());
    if (this.writeFailure) throw this.writeFailure.error;
  }

  /** Applies a change to a chunk in memory at once and queues its write; resolves when the store has it. */
  private save(index: number, change: (items: ItemState[]) => void): Promise<void> {
    const chunk = this.chunks[index];
    if (!chunk) return Promise.resolve();
    const items = [...chunk.items];
    change(items);
    this.chunks[index] = { ...chunk, items };
    const write = (this.writes.get(index) ?? Promise.resolve()).then(async () => {
      if (this.writeFailure) throw this.writeFailure.error;
      const latest = this.chunks[index];
      if (latest) await this.store.saveChunk(this.runId, latest);
    });
    const settled = write.catch((error: unknown) => {
      this.writeFailure ??= { error };
      this.onWriteFailure();
    });
    this.writes.set(index, settled);
    return write;
  }
}
