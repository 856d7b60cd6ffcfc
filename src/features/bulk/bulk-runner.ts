import type { GraphRequest, RemediationAction } from '../../domain/actions/action';
import { explainFailure } from '../remediate/failure-explanation';
import type { GraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import { errorMessage, type Logger } from '../../infra/logger';
import type { BulkStore, ChunkRecord, ItemState } from './bulk-store';
import { CHUNK_SIZE } from './bulk-store';
import type { BulkItem } from '../../domain/remediation/bulk-target';
import { answerFailure, sendBatch, type BatchAnswer } from './json-batch';
import { retryAfterMs } from '../../infra/graph/retry-after';
import type { Clock } from '../../infra/clock';
import { SlidingWindowLimiter, ThrottleGate, throttleBackoff } from './pacing';
import { SendQueue } from './send-queue';

/** How far a run has come. */
export interface RunCounts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Sent when the bot stopped: Graph may or may not have run them, and they are never sent again. */
  readonly unknown: number;
  readonly remaining: number;
}

/** Why `run()` returned. */
export type RunEnd =
  | { readonly kind: 'finished' }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'paused'; readonly reason: string };

/** The approver's token as the runner needs it (see RefreshingToken). */
export interface RunToken {
  fresh(): Promise<string>;
  invalidate(): void;
}

/** What one run needs. */
export interface RunnerDeps {
  readonly runId: string;
  readonly store: BulkStore;
  readonly clock: Clock;
  readonly action: RemediationAction;
  readonly items: readonly BulkItem[];
  /** Delegated Graph client whose token source returns the token `token.fresh()` last gave. */
  readonly graph: GraphApi;
  readonly token: RunToken;
  /** JSON batches in flight at once (BULK_CONCURRENCY). */
  readonly concurrency: number;
  readonly approverName: string;
  readonly logger: Logger;
  /** 429/503 answers one item may get before it is reported as failed (default 10). */
  readonly maxThrottled?: number;
  readonly onProgress?: (counts: RunCounts) => void;
}

/** An item chosen for the next batch, with how often Graph has answered it 429 or 503 so far. */
interface Picked {
  readonly at: number;
  readonly item: BulkItem;
  readonly request: GraphRequest;
  readonly throttled: number;
}

/** Thrown inside a worker to pause the whole run (the approver must sign in again). */
class PauseRun extends Error {}

const UNKNOWN_SUMMARY =
  'The bot stopped while Microsoft Graph had this request, so whether it ran is unknown. It was not sent again: check the target in Entra, then use Retry failed if it is still needed.';

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
    items: chunk.items.map((i): ItemState =>
      i.s === 'sent' ? { s: 'unknown', summary: UNKNOWN_SUMMARY } : i,
    ),
  };
}

/**
 * Runs the items of one bulk remediation through Graph's JSON batching: batches of up to 20 items of one Graph
 * version, `concurrency` batches in flight, responses matched by id. Each item follows its own answer: a 429
 * (the tenant's budget) puts it back and holds every send until its Retry-After; a 503 holds only that item
 * until its Retry-After, then it rejoins the next batch. Calls Graph rate-limits in advance are paced under that
 * limit, and the approver's token is refreshed before it expires. Every item is marked `sent` in the store
 * before its batch leaves and gets its outcome after, so no item is lost or run twice across a restart.
 */
export class BulkRunner {
  private readonly chunks: ChunkRecord[];
  private readonly gate: ThrottleGate;
  private readonly limiter: SlidingWindowLimiter | undefined;
  private readonly queue: SendQueue;
  private halted: RunEnd | undefined;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private unauthorizedInARow = 0;
  /** Per chunk, the latest write to the store: writes of one chunk go in order, each with its latest state. */
  private readonly writes = new Map<number, Promise<void>>();
  private writeFailure: { error: unknown } | undefined;

  constructor(
    private readonly deps: RunnerDeps,
    chunks: readonly ChunkRecord[],
  ) {
    this.chunks = [...chunks];
    this.gate = new ThrottleGate(deps.clock);
    this.queue = new SendQueue(
      this.chunks.flatMap((chunk) =>
        chunk.items.flatMap((state, offset) =>
          state.s === 'pending' ? [chunk.index * CHUNK_SIZE + offset] : [],
        ),
      ),
    );
    const limit = deps.action.rateLimit;
    // A 5 % margin on the window absorbs clock skew between the bot and Graph.
    this.limiter = limit
      ? new SlidingWindowLimiter(deps.clock, limit.requests, Math.ceil(limit.windowMs * 1.05))
      : undefined;
  }

  /** Where the run stands now. */
  counts(): RunCounts {
    return countStates(this.chunks);
  }

  /** The item states, for the summary. */
  states(): readonly ChunkRecord[] {
    return this.chunks;
  }

  /** Sends nothing new; batches already in flight finish and are recorded, then `run()` resolves `stopped`. */
  stop(): void {
    this.halt({ kind: 'stopped' });
  }

  /** Runs until every item has an outcome, or until stopped or paused. */
  async run(): Promise<RunEnd> {
    // Under a stated rate limit one batch spends a whole window (its size is the limit), so one goes at a time.
    const concurrency = this.limiter ? 1 : Math.max(1, this.deps.concurrency);
    const workers = Array.from({ length: concurrency }, () => this.worker());
    await Promise.all(workers);
    await Promise.all(this.writes.values());
    if (this.writeFailure) throw this.writeFailure.error;
    return this.halted ?? { kind: 'finished' };
  }

  private halt(end: RunEnd): void {
    this.halted ??= end;
    this.signal();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private signalled(): Promise<void> {
    return new Promise<void>((resolve) => {
      const previous = this.wake;
      this.wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  /**
   * Sends batches while items are ready. With none ready it waits for a batch in flight to answer (which may
   * put items back), or, with none in flight, for the first held item's Retry-After to pass (or a stop).
   */
  private async worker(): Promise<void> {
    for (;;) {
      if (this.halted) return;
      await this.gate.wait();
      if (this.halted) return;
      this.queue.release(this.deps.clock.now());
      const batch = this.take();
      if (batch.length === 0) {
        const next = this.queue.nextRelease();
        if (this.inFlight > 0) await this.signalled();
        else if (next === undefined) return;
        else await Promise.race([this.deps.clock.sleep(next - this.deps.clock.now()), this.signalled()]);
        continue;
      }
      this.inFlight++;
      try {
        await this.send(batch);
      } catch (err) {
        if (err instanceof PauseRun) this.halt({ kind: 'paused', reason: err.message });
        else throw err;
      } finally {
        this.inFlight--;
        this.signal();
      }
    }
  }

  /** The next batch: ready items of one Graph version (and one rate-limit key), at most 20 (or that limit). */
  private take(): Picked[] {
    const limit = this.deps.action.rateLimit;
    const max = Math.min(CHUNK_SIZE, limit?.requests ?? CHUNK_SIZE);
    const group = (at: number): string => {
      const target = this.deps.items[at]?.target;
      if (target === undefined) return '';
      return `${this.deps.action.request(target).version} ${limit ? limit.key(target) : ''}`;
    };
    return this.queue.take(max, group).flatMap((at): Picked[] => {
      const item = this.deps.items[at];
      const state = this.stateOf(at);
      if (!item || state?.s !== 'pending') return [];
      return [{ at, item, request: this.deps.action.request(item.target), throttled: state.throttled ?? 0 }];
    });
  }

  private stateOf(at: number): ItemState | undefined {
    return this.chunks[Math.floor(at / CHUNK_SIZE)]?.items[at % CHUNK_SIZE];
  }

  /** Sends one batch and records each item's outcome; items Graph did not run go back to the queue. */
  private async send(batch: readonly Picked[]): Promise<void> {
    const positions = batch.map((p) => p.at);
    const first = batch[0];
    const limit = this.deps.action.rateLimit;
    if (!first) return;
    if (this.limiter && limit) await this.limiter.acquire(limit.key(first.item.target), batch.length);
    if (!this.halted) {
      try {
        await this.deps.token.fresh();
      } catch (err) {
        this.queue.putBack(positions);
        throw new PauseRun(pauseReason(err));
      }
    }
    if (this.halted) return this.queue.putBack(positions);
    await this.record(batch.map((p) => [p.at, { s: 'sent' }]));
    if (this.gate.remaining() > 0 || this.halted) {
      // Graph throttled another batch while these were being marked: they wait for the window with the rest,
      // instead of drawing a 429 whose Retry-After would hold every worker longer.
      await this.record(batch.map((p) => [p.at, pending(p.throttled)]));
      return this.queue.putBack(positions);
    }

    let answers: BatchAnswer[];
    try {
      answers = await sendBatch(
        this.deps.graph,
        first.request.version,
        batch.map((p) => ({ id: String(p.at), request: p.request })),
      );
    } catch (err) {
      return this.envelopeFailed(batch, err);
    }
    this.unauthorizedInARow = 0;
    const byId = new Map(answers.map((a) => [a.id, a]));
    const updates = batch.map((p): [number, ItemState] => {
      const answer = byId.get(String(p.at));
      return [p.at, answer ? this.outcome(p, answer) : this.unknown()];
    });
    // Outcomes are recorded in the background: the next batch need not wait for this write, and the run
    // does not end before it lands.
    void this.record(updates).catch(() => undefined);
    this.deps.onProgress?.(this.counts());
  }

  private unknown(): ItemState {
    return { s: 'unknown', summary: UNKNOWN_SUMMARY };
  }

  /**
   * What one item's answer means: an outcome, or pending again when Graph ran nothing. A 429 is the tenant's
   * budget, so every send waits for its Retry-After; a 503 is this request's, so only the item waits.
   */
  private outcome(picked: Picked, answer: BatchAnswer): ItemState {
    const { item } = picked;
    const action = this.deps.action;
    if (answer.status === 0) return this.unknown();
    if (answer.status >= 200 && answer.status < 300) {
      const meaning = action.interpret(item.target, {
        status: answer.status,
        body: answer.body,
        requestId: answer.requestId,
        date: answer.date,
      });
      return {
        s: 'done',
        outcome: meaning.outcome,
        status: answer.status,
        summary: meaning.summary,
        ...(answer.requestId ? { requestId: answer.requestId } : {}),
      };
    }
    const throttled = picked.throttled + 1;
    if ((answer.status === 429 || answer.status === 503) && throttled <= (this.deps.maxThrottled ?? 10)) {
      const now = this.deps.clock.now();
      const waitMs = retryAfterMs(answer.headers['retry-after'], now) ?? throttleBackoff(throttled);
      if (answer.status === 429) {
        this.gate.block(waitMs);
        this.queue.putBack([picked.at]);
      } else {
        this.queue.hold(picked.at, now + waitMs);
      }
      return pending(throttled);
    }
    const failure = answerFailure(answer);
    // Another 5xx does not say whether the write ran: like no answer at all, its outcome is unknown.
    if (answer.status >= 500 && answer.status !== 503) {
      return { s: 'unknown', summary: explainFailure(action, this.deps.approverName, failure) };
    }
    return {
      s: 'done',
      outcome: 'failed',
      status: failure.status,
      code: failure.code,
      summary: explainFailure(action, this.deps.approverName, failure),
      ...(failure.requestId ? { requestId: failure.requestId } : {}),
    };
  }

  /**
   * The batch itself failed. 401: nothing ran, the token is renewed and the items go again (twice in a row
   * pauses the run). 429: nothing ran, every send backs off; 503: nothing ran, these items back off (either is
   * failed once an item was refused too often). No answer or another 5xx: Graph may have run them, so their
   * outcome is unknown. Any other 4xx: Graph refused the batch, so they failed.
   */
  private async envelopeFailed(batch: readonly Picked[], err: unknown): Promise<void> {
    const failure = err instanceof GraphFailure ? err : undefined;
    const status = failure?.status ?? 0;
    this.deps.logger.warn(
      { runId: this.deps.runId, status, code: failure?.code, err: errorMessage(err) },
      'bulk batch failed as a whole',
    );
    const positions = batch.map((p) => p.at);
    const maxThrottled = this.deps.maxThrottled ?? 10;
    let state: (p: Picked) => ItemState;
    if (status === 401) {
      this.deps.token.invalidate();
      this.unauthorizedInARow++;
      this.queue.putBack(positions);
      state = (p) => pending(p.throttled);
    } else if (
      failure &&
      (status === 429 || status === 503) &&
      batch.every((p) => p.throttled < maxThrottled)
    ) {
      const waitMs = throttleBackoff(Math.max(...batch.map((p) => p.throttled)) + 1);
      if (status === 429) {
        this.gate.block(waitMs);
        this.queue.putBack(positions);
      } else {
        const until = this.deps.clock.now() + waitMs;
        for (const at of positions) this.queue.hold(at, until);
      }
      state = (p) => pending(p.throttled + 1);
    } else if (failure && ((status >= 400 && status < 500) || status === 503)) {
      state = () => ({
        s: 'done',
        outcome: 'failed',
        status,
        code: failure.code,
        summary: explainFailure(this.deps.action, this.deps.approverName, failure),
        ...(failure.requestId ? { requestId: failure.requestId } : {}),
      });
    } else {
      state = () => this.unknown();
    }
    await this.record(batch.map((p) => [p.at, state(p)]));
    this.deps.onProgress?.(this.counts());
    if (this.unauthorizedInARow >= 2) {
      throw new PauseRun('Microsoft Graph refused the approver’s token twice. Sign in again to continue.');
    }
  }

  /** Applies item states (by position) in memory at once; resolves when the store has every chunk touched. */
  private async record(updates: ReadonlyArray<readonly [number, ItemState]>): Promise<void> {
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

  /**
   * Applies a change to a chunk in memory at once and queues its write; resolves when the store has it. A
   * failed write halts the run (nothing more is sent) and `run()` rethrows it once the workers stop.
   */
  private save(index: number, change: (items: ItemState[]) => void): Promise<void> {
    const chunk = this.chunks[index];
    if (!chunk) return Promise.resolve();
    const items = [...chunk.items];
    change(items);
    this.chunks[index] = { ...chunk, items };
    const write = (this.writes.get(index) ?? Promise.resolve()).then(async () => {
      if (this.writeFailure) throw this.writeFailure.error;
      const latest = this.chunks[index];
      if (latest) await this.deps.store.saveChunk(this.deps.runId, latest);
    });
    const settled = write.catch((error: unknown) => {
      this.writeFailure ??= { error };
      this.halt({ kind: 'stopped' });
    });
    this.writes.set(index, settled);
    return write;
  }
}

function pending(throttled: number): ItemState {
  return throttled > 0 ? { s: 'pending', throttled } : { s: 'pending' };
}

function pauseReason(err: unknown): string {
  const kind = (err as { kind?: unknown } | undefined)?.kind;
  if (kind === 'expired') return 'The approver’s sign-in expired during the run. Sign in again to continue.';
  if (kind === 'authority_unreachable')
    return 'Microsoft Entra could not be reached to renew the approver’s token. Try Resume in a minute.';
  return `The approver’s Graph token could not be renewed (${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}). Sign in again to continue.`;
}
