import type { RecordedActor, RunnerIdentity } from '../../domain/remediation/remediation';
import type { ConversationAddress } from '../../domain/conversation';
import { ConcurrencyError, mutate, type StateStore } from '../../infra/storage/state-store';
import { MAX_BATCH_SIZE } from './json-batch';

/** Items per stored chunk: one chunk is what one JSON batch can carry. */
export const CHUNK_SIZE = MAX_BATCH_SIZE;

/** What the last verification check found of an item Graph accepted (or may have applied). */
export interface ItemFinding {
  readonly v: 'resolved' | 'failing' | 'unverified';
  /** Resolved: what changed; failing: the current error; unverified: why. */
  readonly note: string;
}

/** Where one item of a run stands; `sent` is written before the request leaves, so a crash cannot repeat it. */
export type ItemState =
  | { readonly s: 'pending'; readonly throttled?: number }
  | { readonly s: 'sent' }
  | {
      readonly s: 'done';
      readonly outcome: 'succeeded' | 'failed';
      readonly status: number;
      readonly code?: string;
      readonly summary: string;
      readonly requestId?: string;
      readonly checked?: ItemFinding;
    }
  | { readonly s: 'unknown'; readonly summary: string; readonly checked?: ItemFinding };

/** The states of up to 20 consecutive items of a run. */
export interface ChunkRecord {
  readonly index: number;
  readonly items: readonly ItemState[];
}

/** `running` (a process works on it, or will resume it), `paused` (waiting for a sign-in), `finished`. */
export type RunState = 'running' | 'paused' | 'finished';

/**
 * A bulk run's own record, kept under `bulk/` so the reconciliation of single remediations (which closes
 * interrupted ones as "Outcome unknown") never touches it: a bulk run resumes instead.
 */
export interface BulkRunRecord {
  /** The remediation's id. */
  readonly id: string;
  readonly action: string;
  readonly total: number;
  readonly chunks: number;
  readonly state: RunState;
  readonly address: ConversationAddress;
  /** The message that shows the run's progress (the confirmation card it replaced). */
  readonly cardActivityId?: string;
  readonly approver: RecordedActor & { readonly tenantId: string };
  /** The process working on the run; absent when none is (released at shutdown, or paused). */
  readonly runner?: RunnerIdentity;
  readonly heartbeatAt: string;
  readonly startedAt: string;
  readonly pausedReason?: string;
  readonly finishedAt?: string;
  /** The remediation Retry failed created, so a second click shows it instead of making another. */
  readonly retryRemediationId?: string;
}

const RUN = 'bulk/run/';
const CHUNK = 'bulk/chunk/';
const TOKEN = 'bulk/token/';

function chunkKey(id: string, index: number): string {
  return `${CHUNK}${id}/${String(index).padStart(5, '0')}`;
}

/** The bulk records in the StateStore: the run, its chunks of item states, and the sealed approver token. */
export class BulkStore {
  constructor(private readonly store: StateStore) {}

  /** Creates the chunks, then the run (so a listed run always has its chunks); false when it exists. */
  async create(run: BulkRunRecord): Promise<boolean> {
    await Promise.all(
      Array.from({ length: run.chunks }, async (_, index) => {
        const size = Math.min(CHUNK_SIZE, run.total - index * CHUNK_SIZE);
        const chunk: ChunkRecord = {
          index,
          items: Array.from({ length: size }, () => ({ s: 'pending' }) as const),
        };
        try {
          await this.store.create(chunkKey(run.id, index), chunk);
        } catch (err) {
          if (!(err instanceof ConcurrencyError)) throw err;
        }
      }),
    );
    try {
      await this.store.create(RUN + run.id, run);
      return true;
    } catch (err) {
      if (err instanceof ConcurrencyError) return false;
      throw err;
    }
  }

  async run(id: string): Promise<BulkRunRecord | undefined> {
    return (await this.store.get<BulkRunRecord>(RUN + id))?.value;
  }

  /** A pure transition of the run record under its eTag; undefined when the run does not exist. */
  updateRun(id: string, change: (run: BulkRunRecord) => BulkRunRecord | undefined) {
    return mutate<BulkRunRecord>(this.store, RUN + id, change);
  }

  /** Ids of every run on record. */
  async runIds(): Promise<string[]> {
    return (await this.store.list(RUN)).map((k) => k.slice(RUN.length));
  }

  async chunks(id: string, count: number): Promise<ChunkRecord[]> {
    return Promise.all(
      Array.from({ length: count }, async (_, index) => {
        const chunk = (await this.store.get<ChunkRecord>(chunkKey(id, index)))?.value;
        if (!chunk) throw new Error(`Bulk run ${id} lost its chunk ${index}`);
        return chunk;
      }),
    );
  }

  /** Writes a chunk's item states (one writer per run: the process that holds it). */
  async saveChunk(id: string, chunk: ChunkRecord): Promise<void> {
    const saved = await mutate<ChunkRecord>(this.store, chunkKey(id, chunk.index), () => chunk);
    if (!saved) throw new Error(`Bulk run ${id} lost its chunk ${chunk.index}`);
  }

  async saveToken(id: string, sealed: string): Promise<void> {
    await this.store.delete(TOKEN + id);
    await this.store.create(TOKEN + id, { sealed });
  }

  async token(id: string): Promise<string | undefined> {
    return (await this.store.get<{ sealed: string }>(TOKEN + id))?.value.sealed;
  }

  async deleteToken(id: string): Promise<void> {
    await this.store.delete(TOKEN + id);
  }
}
