import type { GraphRequest, RemediationAction } from '../../domain/actions/action';
import type { BulkItem } from '../../domain/remediation/bulk-target';
import type { Clock } from '../../infra/clock';
import type { GraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import { errorMessage, type Logger } from '../../infra/logger';
import { CHUNK_SIZE, type BulkStore, type ChunkRecord, type ItemState } from './bulk-store';
import { readBatchFailure, readItemAnswer, type AnswerContext, type RetryLater } from './item-answers';
import { pending, unknownOutcome, type RunCounts } from './item-states';
import { sendBatch, type BatchAnswer } from './json-batch';
import { SlidingWindowLimiter, ThrottleGate } from './pacing';
import { RunItems } from './run-items';
import { SendQueue } from './send-queue';

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

/**
 * Runs the items of one bulk remediation through Graph's JSON batching: batches of up to 20 items of one Graph
 * version, `concurrency` batches in flight, responses matched by id. Each item follows its own answer (see
 * readItemAnswer): a 429 (the tenant's budget) puts it back and holds every send until its Retry-After; a 503
 * holds only that item until its Retry-After, then it rejoins the next batch. Calls Graph rate-limits in
 * advance are paced under that limit, and the approver's token is refreshed before it expires. Every item is
 * marked `sent` in the store before its batch leaves and gets its outcome after, so no item is lost or run
 * twice across a restart.
 */
export class BulkRunner {
  private readonly items: RunItems;
  private readonly gate: ThrottleGate;
  private readonly limiter: SlidingWindowLimiter | undefined;
  private readonly queue: SendQueue;
  private readonly answers: AnswerContext;
  private halted: RunEnd | undefined;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private unauthorizedInARow = 0;

  constructor(
    private readonly deps: RunnerDeps,
    chunks: readonly ChunkRecord[],
  ) {
    this.items = new RunItems(deps.store, deps.runId, chunks, () => this.halt({ kind: 'stopped' }));
    this.gate = new ThrottleGate(deps.clock);
    this.queue = new SendQueue(this.items.pendingPositions());
    const limit = deps.action.rateLimit;
    // A 5 % margin on the window absorbs clock skew between the bot and Graph.
    this.limiter = limit
      ? new SlidingWindowLimiter(deps.clock, limit.requests, Math.ceil(limit.windowMs * 1.05))
      : undefined;
    this.answers = {
      action: deps.action,
      approverName: deps.approverName,
      maxThrottled: deps.maxThrottled ?? 10,
    };
  }

  /** Where the run stands now. */
  counts(): RunCounts {
    return this.items.counts();
  }

  /** The item states, for the summary. */
  states(): readonly ChunkRecord[] {
    return this.items.states();
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
    await this.items.written();
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
      const state = this.items.stateOf(at);
      if (!item || state?.s !== 'pending') return [];
      return [{ at, item, request: this.deps.action.request(item.target), throttled: state.throttled ?? 0 }];
    });
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
    await this.items.record(batch.map((p) => [p.at, { s: 'sent' }]));
    if (this.gate.remaining() > 0 || this.halted) {
      // Graph throttled another batch while these were being marked: they wait for the window with the rest,
      // instead of drawing a 429 whose Retry-After would hold every worker longer.
      await this.items.record(batch.map((p) => [p.at, pending(p.throttled)]));
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
      return this.batchFailed(batch, err);
    }
    this.unauthorizedInARow = 0;
    const byId = new Map(answers.map((a) => [a.id, a]));
    const updates = batch.map((p): [number, ItemState] => {
      const answer = byId.get(String(p.at));
      if (!answer) return [p.at, unknownOutcome()];
      const now = this.deps.clock.now();
      const verdict = readItemAnswer(this.answers, p.item, p.throttled, answer, now);
      if (verdict.retry) this.retryLater([p.at], verdict.retry, now);
      return [p.at, verdict.state];
    });
    // Outcomes are recorded in the background: the next batch need not wait for this write, and the run
    // does not end before it lands.
    void this.items.record(updates).catch(() => undefined);
    this.deps.onProgress?.(this.counts());
  }

  /** Items Graph throttled wait as it asked: a 429 holds every send, a 503 only these items. */
  private retryLater(positions: readonly number[], retry: RetryLater, now = this.deps.clock.now()): void {
    if (retry.scope === 'run') {
      this.gate.block(retry.waitMs);
      this.queue.putBack(positions);
    } else {
      for (const at of positions) this.queue.hold(at, now + retry.waitMs);
    }
  }

  /** The batch itself failed (see readBatchFailure); a second 401 in a row pauses the run. */
  private async batchFailed(batch: readonly Picked[], err: unknown): Promise<void> {
    const failure = err instanceof GraphFailure ? err : undefined;
    this.deps.logger.warn(
      { runId: this.deps.runId, status: failure?.status ?? 0, code: failure?.code, err: errorMessage(err) },
      'bulk batch failed as a whole',
    );
    const positions = batch.map((p) => p.at);
    const verdict = readBatchFailure(
      this.answers,
      err,
      batch.map((p) => p.throttled),
    );
    let state: (p: Picked) => ItemState;
    if (verdict.kind === 'unauthorized') {
      this.deps.token.invalidate();
      this.unauthorizedInARow++;
      this.queue.putBack(positions);
      state = (p) => pending(p.throttled);
    } else if (verdict.kind === 'throttled') {
      this.retryLater(positions, verdict.retry);
      state = (p) => pending(p.throttled + 1);
    } else {
      state = () => verdict.state;
    }
    await this.items.record(batch.map((p) => [p.at, state(p)]));
    this.deps.onProgress?.(this.counts());
    if (this.unauthorizedInARow >= 2) {
      throw new PauseRun('Microsoft Graph refused the approver’s token twice. Sign in again to continue.');
    }
  }
}

function pauseReason(err: unknown): string {
  const kind = (err as { kind?: unknown } | undefined)?.kind;
  if (kind === 'expired') return 'The approver’s sign-in expired during the run. Sign in again to continue.';
  if (kind === 'authority_unreachable')
    return 'Microsoft Entra could not be reached to renew the approver’s token. Try Resume in a minute.';
  return `The approver’s Graph token could not be renewed (${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}). Sign in again to continue.`;
}
