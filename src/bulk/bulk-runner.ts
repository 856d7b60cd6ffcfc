import type { GraphRequest, RemediationAction } from '../domain/actions/action';
import { explainFailure } from '../approvals/failure-explanation';
import type { GraphApi } from '../graph/graph-api';
import { GraphFailure } from '../graph/graph-failure';
import { errorMessage, type Logger } from '../logger';
import type { BulkStore, ChunkRecord, ItemState } from './bulk-store';
import { CHUNK_SIZE } from './bulk-store';
import type { BulkItem } from './bulk-target';
import { answerFailure, sendBatch, type BatchAnswer } from './json-batch';
import { retryAfterMs } from '../graph/retry-after';
import type { Clock } from '../clock';
import { SlidingWindowLimiter, ThrottleGate, throttleBackoff } from './pacing';

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
  /** JSON batches in flight at once. */
  readonly concurrency: number;
  readonly approverName: string;
  readonly logger: Logger;
  /** 429/503 answers one item may get before it is reported as failed (default 10). */
  readonly maxThrottled?: number;
  readonly onProgress?: (counts: RunCounts) => void;
}

/** An item chosen for the next batch, with how often Graph has throttled it so far. */
interface Picked {
  readonly at: number;
  readonly item: BulkItem;
  readonly request: GraphRequest;
  readonly throttled: number;
}

/**
 * How far past BULK_CONCURRENCY a run may grow: once Graph has accepted a whole window's worth of items, the
 * run puts that many in flight as the window reopens, plus one batch to find the window's edge, so it learns
 * the next 429 after one round trip instead of several. Bounded, so a generous budget never turns into a flood.
 */
export const MAX_CONCURRENCY_FACTOR = 4;

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
 * Runs the items of one bulk remediation through Graph's JSON batching: chunks of up to 20 items of one Graph
 * version per $batch, `concurrency` batches in flight, responses matched by id, per-item 429/503 put back
 * and retried after Retry-After (one gate for every worker), calls Graph rate-limits in advance paced under
 * that limit, and the approver's token refreshed before it expires. Every item is marked `sent` in the store
 * before its batch leaves and gets its outcome after, so no item is lost or run twice across a restart.
 */
export class BulkRunner {
  private readonly chunks: ChunkRecord[];
  private readonly gate: ThrottleGate;
  private readonly limiter: SlidingWindowLimiter | undefined;
  private halted: RunEnd | undefined;
  private readonly queue: number[] = [];
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private unauthorizedInARow = 0;
  /** Per chunk, the latest write to the store: writes of one chunk go in order, each with its latest state. */
  private readonly writes = new Map<number, Promise<void>>();
  private writeFailure: { error: unknown } | undefined;
  /** Batches allowed in flight now: BULK_CONCURRENCY, or more once Graph showed it accepts more per window. */
  private allowed: number;
  /** Items Graph accepted per opening of the throttle gate (keyed by `gate.closures` when they were sent). */
  private readonly accepted = new Map<number, number>();
  private opening = 0;
  /** What Graph accepted in the last opening that ended in a throttle, and what this opening has sent so far. */
  private learned: number | undefined;
  private sentInOpening = 0;
  /** Batches on the wire. */
  private sending = 0;

  constructor(
    private readonly deps: RunnerDeps,
    chunks: readonly ChunkRecord[],
  ) {
    this.chunks = [...chunks];
    this.gate = new ThrottleGate(deps.clock);
    this.allowed = Math.max(1, deps.concurrency);
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
    this.chunks.forEach((chunk, index) => {
      if (chunk.items.some((i) => i.s === 'pending')) this.queue.push(index);
    });
    const most = this.deps.action.rateLimit ? this.allowed : this.allowed * MAX_CONCURRENCY_FACTOR;
    const workers = Array.from({ length: most }, (_, slot) => this.worker(slot));
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

  private async worker(slot: number): Promise<void> {
    for (;;) {
      if (this.halted) return;
      const index = slot < this.allowed && !this.holding() ? this.queue.shift() : undefined;
      if (index === undefined) {
        if (this.inFlight === 0) return;
        await new Promise<void>((resolve) => {
          const previous = this.wake;
          this.wake = () => {
            previous?.();
            resolve();
          };
        });
        continue;
      }
      this.inFlight++;
      try {
        const again = await this.sendFrom(index);
        if (again) this.queue.unshift(index);
      } catch (err) {
        this.queue.unshift(index);
        if (err instanceof PauseRun) this.halt({ kind: 'paused', reason: err.message });
        else throw err;
      } finally {
        this.inFlight--;
        this.signal();
      }
    }
  }

  /** Picks the next batch from a chunk: pending items of one version (and one rate-limit key). */
  private pick(chunk: ChunkRecord): Picked[] {
    const limit = this.deps.action.rateLimit;
    const max = Math.min(CHUNK_SIZE, limit?.requests ?? CHUNK_SIZE);
    const picked: Picked[] = [];
    let key: string | undefined;
    chunk.items.forEach((state, offset) => {
      if (state.s !== 'pending' || picked.length >= max) return;
      const at = chunk.index * CHUNK_SIZE + offset;
      const item = this.deps.items[at];
      if (!item) return;
      const request = this.deps.action.request(item.target);
      const itemKey = limit ? limit.key(item.target) : '';
      const first = picked[0];
      if (first && (request.version !== first.request.version || itemKey !== key)) return;
      key = itemKey;
      picked.push({ at, item, request, throttled: state.throttled ?? 0 });
    });
    return picked;
  }

  /** Sends one batch from chunk `index`; true when the chunk still has pending items afterwards. */
  private async sendFrom(index: number): Promise<boolean> {
    await this.gate.wait();
    if (this.halted) return true;
    this.enterOpening();
    const chunk = this.chunks[index];
    if (!chunk) return false;
    const picked = this.pick(chunk);
    const first = picked[0];
    if (!first) return false;
    if (this.limiter && this.deps.action.rateLimit) {
      await this.limiter.acquire(this.deps.action.rateLimit.key(first.item.target), picked.length);
      if (this.halted) return true;
    }
    try {
      await this.deps.token.fresh();
    } catch (err) {
      throw new PauseRun(pauseReason(err));
    }
    if (this.halted) return true;
    const before = chunk.items;
    await this.save(index, (items) =>
      picked.forEach((p) => (items[p.at - chunk.index * CHUNK_SIZE] = { s: 'sent' })),
    );
    if (this.gate.remaining() > 0 || this.halted) {
      // Graph throttled another batch while these were being marked: they wait for the window with the rest,
      // instead of drawing a 429 whose Retry-After would hold every worker longer.
      await this.save(index, (items) =>
        picked.forEach(
          (p) =>
            (items[p.at - chunk.index * CHUNK_SIZE] = before[p.at - chunk.index * CHUNK_SIZE] ?? {
              s: 'pending',
            }),
        ),
      );
      return true;
    }

    const opening = this.enterOpening();
    this.sentInOpening += picked.length;
    this.sending++;
    let answers: BatchAnswer[];
    try {
      answers = await sendBatch(
        this.deps.graph,
        first.request.version,
        picked.map((p) => ({ id: String(p.at), request: p.request })),
      );
    } catch (err) {
      await this.envelopeFailed(index, picked, err);
      return this.hasPending(index);
    } finally {
      this.sending--;
    }
    this.unauthorizedInARow = 0;
    const taken = answers.filter((a) => a.status !== 429 && a.status !== 503).length;
    this.accepted.set(opening, (this.accepted.get(opening) ?? 0) + taken);
    const updates = new Map<number, ItemState>();
    for (const p of picked) {
      const answer = answers.find((a) => a.id === String(p.at));
      updates.set(p.at, answer ? this.outcome(p, answer) : this.unknown());
    }
    // Outcomes are recorded in the background: the next batch need not wait for this write, and the run
    // does not end before it lands.
    void this.save(index, (items) => {
      for (const [at, state] of updates) items[at - chunk.index * CHUNK_SIZE] = state;
    }).catch(() => undefined);
    this.deps.onProgress?.(this.counts());
    return this.hasPending(index);
  }

  /**
   * The opening of Graph's window a batch goes out in. The first send after the gate reopened sizes the run to
   * what Graph accepted in the last opening and one batch more (never below BULK_CONCURRENCY, never past the
   * factor).
   */
  private enterOpening(): number {
    const current = this.gate.closures;
    if (current !== this.opening) {
      const taken = this.accepted.get(this.opening) ?? 0;
      this.accepted.delete(this.opening);
      this.opening = current;
      this.sentInOpening = 0;
      this.learned = taken > 0 ? taken : undefined;
      if (!this.deps.action.rateLimit && taken > 0) {
        const floor = Math.max(1, this.deps.concurrency);
        this.allowed = Math.min(
          floor * MAX_CONCURRENCY_FACTOR,
          Math.max(floor, Math.ceil(taken / CHUNK_SIZE) + 1),
        );
        this.signal();
      }
    }
    return current;
  }

  /**
   * Each opening sends what Graph accepted in the last one and one batch more in one burst: when the budget is
   * unchanged, that one batch draws the window's 429 while the burst is still arriving, so the Retry-After
   * runs from the start of the window and only its items go again. Past that, further batches wait until
   * those in flight answer; when they all answer without a 429, sending goes on.
   */
  private holding(): boolean {
    if (this.learned === undefined || this.sending === 0) return false;
    if (this.sentInOpening < this.learned + CHUNK_SIZE) return false;
    return this.gate.closures === this.opening;
  }

  private hasPending(index: number): boolean {
    return this.chunks[index]?.items.some((i) => i.s === 'pending') ?? false;
  }

  private unknown(): ItemState {
    return { s: 'unknown', summary: UNKNOWN_SUMMARY };
  }

  /** What one item's answer means: an outcome, or back to pending when Graph throttled it. */
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
    if (answer.status === 429 || answer.status === 503) {
      const throttled = picked.throttled + 1;
      const waitMs =
        retryAfterMs(answer.headers['retry-after'], this.deps.clock.now()) ?? throttleBackoff(throttled);
      this.gate.block(waitMs);
      if (throttled <= (this.deps.maxThrottled ?? 10)) return { s: 'pending', throttled };
    }
    const failure = answerFailure(answer);
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
   * pauses the run). 429/503: nothing ran, back off and go again (failed once throttled too often). No
   * answer or another 5xx: Graph may have run them, so their outcome is unknown. Any other 4xx: Graph
   * refused the batch, so they failed.
   */
  private async envelopeFailed(index: number, picked: readonly Picked[], err: unknown): Promise<void> {
    const chunk = this.chunks[index];
    if (!chunk) return;
    const failure = err instanceof GraphFailure ? err : undefined;
    const status = failure?.status ?? 0;
    this.deps.logger.warn(
      {
        runId: this.deps.runId,
        status,
        code: failure?.code,
        err: errorMessage(err),
      },
      'bulk batch failed as a whole',
    );
    const maxThrottled = this.deps.maxThrottled ?? 10;
    let state: (p: Picked) => ItemState;
    if (status === 401) {
      this.deps.token.invalidate();
      this.unauthorizedInARow++;
      state = (p) => ({ s: 'pending', ...(p.throttled ? { throttled: p.throttled } : {}) });
    } else if (
      failure &&
      (status === 429 || status === 503) &&
      picked.every((p) => p.throttled < maxThrottled)
    ) {
      this.gate.block(throttleBackoff(Math.max(...picked.map((p) => p.throttled)) + 1));
      state = (p) => ({ s: 'pending', throttled: p.throttled + 1 });
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
    await this.save(index, (items) => {
      for (const p of picked) {
        const offset = p.at - chunk.index * CHUNK_SIZE;
        items[offset] = state(p);
      }
    });
    this.deps.onProgress?.(this.counts());
    if (this.unauthorizedInARow >= 2) {
      throw new PauseRun('Microsoft Graph refused the approver’s token twice. Sign in again to continue.');
    }
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

function pauseReason(err: unknown): string {
  const kind = (err as { kind?: unknown } | undefined)?.kind;
  if (kind === 'expired') return 'The approver’s sign-in expired during the run. Sign in again to continue.';
  if (kind === 'authority_unreachable')
    return 'Microsoft Entra could not be reached to renew the approver’s token. Try Resume in a minute.';
  return `The approver’s Graph token could not be renewed (${err instanceof Error ? err.message.slice(0, 200) : 'unknown error'}). Sign in again to continue.`;
}
