import { auditRemediation } from '../../domain/governance/governance';
import { finishRun, outcomeEvent, type Remediation } from '../../domain/remediation/remediation';
import type { BulkTarget } from '../../domain/remediation/bulk-target';
import type { Logger } from '../../infra/logger';
import { bulkProgressCard, bulkProgressCardData } from '../cards/bulk-cards';
import type { AdaptiveCardJson } from '../cards/render';
import { outcomeNotice } from '../remediate/outcome-notice';
import type { RefreshingToken } from '../shared/delegated-token';
import { actionOf, describeError, type BulkServiceDeps } from './bulk-deps';
import { BulkRunner, type RunEnd } from './bulk-runner';
import { countStates, type RunCounts } from './item-states';
import type { BulkRunRecord, BulkStore, ChunkRecord } from './bulk-store';
import { ProgressPublisher, PROGRESS_GAP_MS } from './progress-publisher';
import { itemOutcomes, runResult } from './run-outcomes';

/** A run this process is working on. */
export interface ActiveRun {
  readonly id: string;
  readonly runner: BulkRunner;
  readonly publisher: ProgressPublisher;
  remediation: Remediation;
  readonly done: Promise<void>;
}

/**
 * The runs this process holds, from launch to their end: each sends through a BulkRunner, keeps its card up to
 * date through a ProgressPublisher and its heartbeat in the run record, and ends finished (result, audit,
 * summary card), paused (waiting for a sign-in) or released at shutdown for the next start to resume.
 */
export class BulkRuns {
  private readonly active = new Map<string, ActiveRun>();
  private stopping = false;

  constructor(
    private readonly deps: BulkServiceDeps,
    private readonly bulk: BulkStore,
  ) {}

  /** True once close() began: no run is taken over any more. */
  get closing(): boolean {
    return this.stopping;
  }

  /** The live numbers of a run this process is working on; undefined when it holds no such run. */
  liveCounts(id: string): RunCounts | undefined {
    return this.active.get(id)?.runner.counts();
  }

  /** Starts sending a run's pending items; `shownAt` is when its card last changed (for the progress gap). */
  launch(
    r: Remediation,
    run: BulkRunRecord,
    chunks: ChunkRecord[],
    token: RefreshingToken,
    correlationId: string,
    shownAt: number,
  ): ActiveRun {
    const target = r.target as BulkTarget;
    const log = this.deps.logger.child({ remediationId: r.id, correlationId });
    const graph = this.deps.delegatedGraph(() => token.fresh(), correlationId);
    const runner = new BulkRunner(
      {
        runId: r.id,
        store: this.bulk,
        clock: this.deps.clock,
        action: actionOf(this.deps.registry, r),
        items: target.items,
        graph,
        token,
        concurrency: this.deps.concurrency,
        approverName: run.approver.name,
        logger: log,
        onProgress: () => publisher.changed(),
      },
      chunks,
    );
    const publisher = new ProgressPublisher(
      this.deps.clock,
      () => this.publishProgress(r, run, runner.counts(), log),
      this.deps.progressGapMs ?? PROGRESS_GAP_MS,
      shownAt,
    );
    const active: ActiveRun = {
      id: r.id,
      runner,
      publisher,
      remediation: r,
      done: Promise.resolve(),
    };
    const done = runner
      .run()
      .then((end) => this.settle(active, run, end, log))
      .catch((err: unknown) => log.error({ err: describeError(err) }, 'bulk run failed'))
      .finally(() => this.active.delete(r.id));
    this.active.set(r.id, { ...active, done });
    if (this.stopping) runner.stop();
    return active;
  }

  /** Stops every run: batches in flight finish and are recorded, then each run is released for the next start. */
  async close(): Promise<void> {
    this.stopping = true;
    for (const run of this.active.values()) run.runner.stop();
    await Promise.allSettled([...this.active.values()].map((r) => r.done));
  }

  /** Resolves when every run this process holds has ended (finished, paused or released). */
  async drain(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()].map((r) => r.done));
  }

  /** Parks a run until someone clicks Resume, saying why on its card and in the thread. */
  async pause(
    r: Remediation,
    run: BulkRunRecord,
    chunks: readonly ChunkRecord[],
    reason: string,
  ): Promise<void> {
    await this.bulk.updateRun(run.id, (current) => ({
      ...current,
      state: 'paused',
      pausedReason: reason,
      runner: undefined,
    }));
    this.deps.logger.warn({ remediationId: run.id, reason }, 'bulk run paused');
    const card = bulkProgressCard(r, {
      phase: 'paused',
      numbers: countStates(chunks),
      skipped: (r.target as BulkTarget).skipped.length,
      pausedReason: reason,
    });
    await this.announce(r, run, card, 'Paused');
  }

  private async publishProgress(
    r: Remediation,
    run: BulkRunRecord,
    counts: RunCounts,
    log: Logger,
  ): Promise<void> {
    const target = r.target as BulkTarget;
    const card = bulkProgressCard(r, { phase: 'running', numbers: counts, skipped: target.skipped.length });
    try {
      await this.bulk.updateRun(r.id, (current) =>
        current.runner?.instanceId === this.deps.instance.instanceId
          ? { ...current, heartbeatAt: new Date(this.deps.clock.now()).toISOString() }
          : undefined,
      );
      if (run.cardActivityId) {
        await this.deps.messenger.updateCard(
          r.address,
          run.cardActivityId,
          card,
          `Running: ${r.confirmation.title}`,
        );
      }
    } catch (err) {
      log.warn({ err: describeError(err) }, 'could not update the bulk progress card');
    }
  }

  private async settle(active: ActiveRun, run: BulkRunRecord, end: RunEnd, log: Logger): Promise<void> {
    const r = active.remediation;
    const chunks = active.runner.states();
    if (end.kind === 'stopped') {
      await active.publisher.stop();
      await this.bulk.updateRun(r.id, (current) =>
        current.runner?.instanceId === this.deps.instance.instanceId
          ? { ...current, runner: undefined }
          : undefined,
      );
      log.info({ counts: countStates(chunks) }, 'bulk run released at shutdown; the next start resumes it');
      return;
    }
    if (end.kind === 'paused') {
      await active.publisher.stop();
      await this.pause(r, run, chunks, end.reason);
      return;
    }
    await this.finish(active, run, chunks, log);
  }

  private async finish(active: ActiveRun, run: BulkRunRecord, chunks: readonly ChunkRecord[], log: Logger) {
    const r = active.remediation;
    const target = r.target as BulkTarget;
    const counts = countStates(chunks);
    const outcomes = itemOutcomes(target, chunks);
    const result = runResult(counts, outcomes);
    const verification = await this.planVerification(r, counts);
    const saved = await this.deps.remediations.update(r.id, (current) => {
      const done = finishRun(current, result, new Date(this.deps.clock.now()));
      return done && verification ? { ...done, verification } : done;
    });
    const final = saved?.value ?? r;
    active.remediation = final;
    await this.bulk.updateRun(r.id, (current) => ({
      ...current,
      state: 'finished',
      runner: undefined,
      finishedAt: new Date(this.deps.clock.now()).toISOString(),
    }));
    await this.bulk.deleteToken(r.id);
    if (saved?.changed) {
      await auditRemediation(
        this.deps.governance,
        final,
        outcomeEvent(result.outcome),
        final.approvedBy ?? { aadObjectId: run.approver.aadObjectId, name: run.approver.name },
        {
          detail: `bulk: ${counts.succeeded} accepted, ${counts.failed} failed, ${counts.unknown} unknown of ${counts.total}`,
        },
      );
    }
    log.info({ counts }, 'bulk run finished');
    const view = { phase: 'finished', numbers: counts, skipped: target.skipped.length, outcomes } as const;
    const card = bulkProgressCard(final, view);
    const word = bulkProgressCardData(final, view).state;
    const summary = `${word}: ${final.confirmation.title}`;
    await active.publisher.finish(async () => {
      if (!run.cardActivityId) return;
      try {
        await this.deps.messenger.updateCard(final.address, run.cardActivityId, card, summary);
      } catch (err) {
        log.error({ err: describeError(err) }, 'could not update the bulk card with its summary');
      }
    });
    try {
      await this.deps.messenger.postNotice(final.address, outcomeNotice(final, word));
    } catch (err) {
      log.error({ err: describeError(err) }, 'could not tell the thread the bulk run finished');
    }
  }

  /** The checks of the targets Graph accepted (or may have applied), planned before the run is closed. */
  private async planVerification(r: Remediation, counts: RunCounts) {
    const { verifier } = this.deps;
    if (!verifier || counts.succeeded + counts.unknown === 0) return undefined;
    const verification = verifier.initial(actionOf(this.deps.registry, r), 'succeeded');
    if (verification?.status === 'verifying') await verifier.plan(r.id, this.deps.clock.now());
    return verification;
  }

  /** Updates the run's card in place and says it in the thread in one line (an update notifies no one). */
  private async announce(r: Remediation, run: BulkRunRecord, card: AdaptiveCardJson, word: string) {
    try {
      if (run.cardActivityId)
        await this.deps.messenger.updateCard(
          r.address,
          run.cardActivityId,
          card,
          `${word}: ${r.confirmation.title}`,
        );
      await this.deps.messenger.postNotice(r.address, outcomeNotice(r, word));
    } catch (err) {
      this.deps.logger.error(
        { remediationId: r.id, err: describeError(err) },
        'could not publish the bulk card',
      );
    }
  }
}
