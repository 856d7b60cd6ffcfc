import type { ActionArgs, RemediationAction } from '../../domain/actions/action';
import type { ActionRegistry } from '../../domain/actions/registry';
import type { ApproverSignIn } from '../shared/approver-sign-in';
import {
  finishRun,
  type Remediation,
  type RemediationResult,
  type RunnerIdentity,
} from '../../domain/remediation/remediation';
import { newOpaqueId, type RemediationStore } from '../../domain/remediation/remediation-store';
import { postResolvedCard } from '../remediate/post-card';
import { runnerGone } from '../../domain/remediation/runner-liveness';
import type { TargetResolver } from '../remediate/target-resolver';
import type { VerifiedUser } from '../../infra/auth/sso-token-validator';
import {
  bulkConfirmationCard,
  bulkProgressCard,
  type ProgressView,
  type TargetOutcome,
} from '../cards/bulk-cards';
import type { CardView } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import type { CardActionHandler } from '../shared/card-action-router';
import { type CardActionResponse, type CardActionTurn, type Messenger } from '../shared/turns';
import { sameConversation } from '../../domain/conversation';
import type { Clock } from '../../infra/clock';
import { auditRemediation, type Governance } from '../../domain/governance/governance';
import { sharedView } from '../cards/remediation-cards';
import type { DelegatedGraphFactory } from '../../infra/graph/graph-api';
import { errorMessage, type Logger } from '../../infra/logger';
import type { StateStore } from '../../infra/storage/state-store';
import { BulkRunner, countStates, settleInterrupted, type RunCounts, type RunEnd } from './bulk-runner';
import { BulkStore, CHUNK_SIZE, type BulkRunRecord, type ChunkRecord } from './bulk-store';
import { bulkParam, isBulkTarget, type BulkTarget } from '../../domain/remediation/bulk-target';
import { RefreshingToken, sealToken, unsealToken, type IssuedToken } from '../shared/delegated-token';
import { ProgressPublisher, PROGRESS_GAP_MS } from './progress-publisher';

/** A run whose process stopped sending heartbeats this long ago is presumed dead (another host). */
const DEFAULT_STALE_MS = 15 * 60_000;

/** The approver's access, as the approval flow established it. */
export interface ApproverAccess {
  readonly user: VerifiedUser;
  readonly ssoToken: string;
  /** The Graph token the approval already exchanged the sign-in for, when it did. */
  readonly issued?: IssuedToken;
  readonly correlationId: string;
}

/** Everything bulk runs depend on; app.ts wires the real ones, tests the fakes on the wire. */
export interface BulkServiceDeps {
  readonly registry: ActionRegistry;
  readonly remediations: RemediationStore;
  readonly store: StateStore;
  readonly resolver: TargetResolver;
  readonly governance: Governance;
  readonly messenger: Messenger;
  /** Proves who clicked Resume and exchanges their sign-in, exactly as for Approve. */
  readonly signIn: ApproverSignIn;
  /** Timestamps, pacing, Retry-After and the 3 s progress gap (a manual clock in tests). */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instance: RunnerIdentity;
  readonly concurrency: number;
  /** On-behalf-of exchange of an approver's SSO token in their tenant. */
  readonly exchange: (tenantId: string, assertion: string) => Promise<IssuedToken>;
  /** The approver's Graph client for the run, over a token renewed on-behalf-of them as it nears expiry. */
  readonly delegatedGraph: DelegatedGraphFactory;
  /**
   * Key material for sealing the approver's SSO token in the store, so a restarted bot resumes the run by
   * itself; without it a restart pauses the run until someone clicks Resume.
   */
  readonly sealKey?: Buffer;
  readonly staleAfterMs?: number;
  readonly isAlive?: (pid: number) => boolean;
  readonly progressGapMs?: number;
}

interface ActiveRun {
  readonly id: string;
  readonly runner: BulkRunner;
  readonly publisher: ProgressPublisher;
  remediation: Remediation;
  readonly done: Promise<void>;
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

const ridData = (data: unknown): string | undefined => {
  const rid = (data as { rid?: unknown } | undefined)?.rid;
  return typeof rid === 'string' && rid.length <= 64 ? rid : undefined;
};

/**
 * Bulk remediations after approval: starts a run with the approver's on-behalf-of token, keeps its progress
 * in the StateStore (under `bulk/`), updates one card in place, posts the summary, resumes runs a stopped
 * process left behind, and answers the Retry failed and Resume buttons. Approval itself (policy,
 * four-eyes, expiry, audit) is the ApprovalHandler's, unchanged: this only takes over once a click won.
 */
export class BulkService implements CardActionHandler {
  readonly verbs = ['bulk-retry', 'bulk-resume'] as const;
  private readonly bulk: BulkStore;
  private readonly active = new Map<string, ActiveRun>();
  private closing = false;

  constructor(private readonly deps: BulkServiceDeps) {
    this.bulk = new BulkStore(deps.store);
  }

  /** The ApprovalHandler's hook: true for a bulk remediation it should hand over. */
  owns(r: Remediation): boolean {
    return (
      isBulkTarget(r.target) && ['pending', 'running', 'succeeded', 'failed', 'unknown'].includes(r.state)
    );
  }

  /** The card of a bulk remediation in any state this service owns. */
  async card(r: Remediation, view: CardView): Promise<AdaptiveCardJson> {
    const target = r.target as BulkTarget;
    if (r.state === 'pending') return bulkConfirmationCard(r, target, view);
    return bulkProgressCard(r, await this.progressView(r, view.notice));
  }

  /** Starts the run of a bulk remediation the approval flow just moved to `running`; answers its first card. */
  async start(
    r: Remediation,
    access: ApproverAccess,
    clickedCardId: string | undefined,
  ): Promise<AdaptiveCardJson> {
    const target = r.target as BulkTarget;
    const now = new Date(this.deps.clock.now()).toISOString();
    const cardActivityId = r.cardActivityId ?? clickedCardId;
    const run: BulkRunRecord = {
      id: r.id,
      action: r.action,
      total: target.items.length,
      chunks: Math.ceil(target.items.length / CHUNK_SIZE),
      state: 'running',
      address: r.address,
      ...(cardActivityId ? { cardActivityId } : {}),
      approver: {
        aadObjectId: access.user.oid,
        name: r.approvedBy?.name ?? access.user.name ?? 'the approver',
        tenantId: access.user.tenantId,
      },
      runner: this.deps.instance,
      heartbeatAt: now,
      startedAt: now,
    };
    if (!(await this.bulk.create(run))) return this.card(r, sharedView(this.deps.governance, this.action(r)));
    const token = this.tokenFor(run, access.ssoToken);
    if (access.issued) token.seed(access.issued);
    if (this.deps.sealKey)
      await this.bulk.saveToken(r.id, sealToken(this.deps.sealKey, r.id, access.ssoToken));
    const chunks = await this.bulk.chunks(r.id, run.chunks);
    this.deps.logger.info({ remediationId: r.id, action: r.action, targets: run.total }, 'bulk run started');
    this.launch(r, run, chunks, token, access.correlationId, this.deps.clock.now());
    return bulkProgressCard(r, {
      phase: 'running',
      numbers: countStates(chunks),
      skipped: target.skipped.length,
    });
  }

  /**
   * At start: takes over every run left `running` by a process that is gone (released at shutdown, dead on
   * this host, or silent for too long) and resumes it. Items that were in flight when it stopped get an
   * unknown outcome and are never sent again; the rest continue with the approver's sealed sign-in, or the
   * run pauses for a Resume click when that sign-in cannot be recovered.
   */
  async resumeInterrupted(): Promise<string[]> {
    const resumed: string[] = [];
    for (const id of await this.bulk.runIds()) {
      if (this.closing) break;
      const run = await this.bulk.run(id);
      if (!run || run.state !== 'running' || !this.interrupted(run)) continue;
      const claimed = await this.bulk.updateRun(id, (current) =>
        current.state === 'running' && this.interrupted(current)
          ? {
              ...current,
              runner: this.deps.instance,
              heartbeatAt: new Date(this.deps.clock.now()).toISOString(),
            }
          : undefined,
      );
      if (!claimed?.changed) continue;
      try {
        if (await this.resume(claimed.value)) resumed.push(id);
      } catch (err) {
        this.deps.logger.error({ remediationId: id, err: describe(err) }, 'could not resume a bulk run');
      }
    }
    return resumed;
  }

  /** Stops every run: batches in flight finish and are recorded, then each run is released for the next start. */
  async close(): Promise<void> {
    this.closing = true;
    for (const run of this.active.values()) run.runner.stop();
    await Promise.allSettled([...this.active.values()].map((r) => r.done));
  }

  /** Resolves when every run this process holds has ended (finished, paused or released). */
  async drain(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active.values()].map((r) => r.done));
  }

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const rid = ridData(turn.data);
    const r = rid ? await this.deps.remediations.get(rid) : undefined;
    if (!r || !isBulkTarget(r.target)) {
      return {
        kind: 'error',
        status: 404,
        code: 'UnknownRemediation',
        message: 'This card refers to a bulk remediation the bot does not know. Run the command again.',
      };
    }
    if (!sameConversation(r.address, turn.address)) {
      return {
        kind: 'error',
        status: 403,
        code: 'ForeignConversation',
        message: 'This card belongs to another conversation and cannot be used here.',
      };
    }
    return turn.verb?.toLowerCase() === 'bulk-resume'
      ? this.resumeClicked(r, turn)
      : this.retryFailed(r, turn);
  }

  private action(r: Pick<Remediation, 'action' | 'id'>): RemediationAction {
    const action = this.deps.registry.find(r.action);
    if (!action) throw new Error(`Bulk remediation ${r.id} names unknown action ${r.action}`);
    return action;
  }

  private tokenFor(run: BulkRunRecord, ssoToken: string): RefreshingToken {
    return new RefreshingToken(
      ssoToken,
      (assertion) => this.deps.exchange(run.approver.tenantId, assertion),
      () => this.deps.clock.now(),
    );
  }

  private interrupted(run: BulkRunRecord): boolean {
    return (
      !run.runner ||
      runnerGone(run.runner, run.heartbeatAt, {
        self: this.deps.instance,
        now: this.deps.clock.now(),
        staleAfterMs: this.deps.staleAfterMs ?? DEFAULT_STALE_MS,
        ...(this.deps.isAlive ? { isAlive: this.deps.isAlive } : {}),
      })
    );
  }

  private async resume(run: BulkRunRecord): Promise<boolean> {
    const r = await this.deps.remediations.get(run.id);
    if (!r || r.state !== 'running' || !isBulkTarget(r.target)) {
      await this.bulk.updateRun(run.id, (current) => ({ ...current, state: 'finished', runner: undefined }));
      return false;
    }
    const chunks = await this.settledChunks(run);
    const sealed = await this.bulk.token(run.id);
    const assertion =
      sealed && this.deps.sealKey ? unsealToken(this.deps.sealKey, run.id, sealed) : undefined;
    if (!assertion) {
      await this.pause(
        r,
        run,
        chunks,
        'The bot restarted and cannot recover the approver’s sign-in. Sign in again (Resume) to continue.',
      );
      return false;
    }
    const token = this.tokenFor(run, assertion);
    try {
      await token.fresh();
    } catch (err) {
      this.deps.logger.warn({ remediationId: run.id, err: describe(err) }, 'bulk run cannot renew its token');
      await this.pause(
        r,
        run,
        chunks,
        'The approver’s sign-in expired while the bot was stopped. Sign in again (Resume) to continue.',
      );
      return false;
    }
    this.deps.logger.info(
      { remediationId: run.id, counts: countStates(chunks) },
      'bulk run resumed after a restart',
    );
    const active = this.launch(r, run, chunks, token, `resume-${run.id}`, Number.NEGATIVE_INFINITY);
    active.publisher.changed();
    return true;
  }

  /** Loads a run's chunks, turning items a stopped process had in flight into unknown outcomes. */
  private async settledChunks(run: BulkRunRecord): Promise<ChunkRecord[]> {
    const chunks = await this.bulk.chunks(run.id, run.chunks);
    for (const [i, chunk] of chunks.entries()) {
      const settled = settleInterrupted(chunk);
      if (!settled) continue;
      await this.bulk.saveChunk(run.id, settled);
      chunks[i] = settled;
    }
    return chunks;
  }

  private launch(
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
        action: this.action(r),
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
      .catch((err: unknown) => log.error({ err: describe(err) }, 'bulk run failed'))
      .finally(() => this.active.delete(r.id));
    this.active.set(r.id, { ...active, done });
    if (this.closing) runner.stop();
    return active;
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
      log.warn({ err: describe(err) }, 'could not update the bulk progress card');
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

  private async pause(
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
    await this.show(r, run, card, `Paused: ${r.confirmation.title}`, true);
  }

  private async finish(active: ActiveRun, run: BulkRunRecord, chunks: readonly ChunkRecord[], log: Logger) {
    const r = active.remediation;
    const target = r.target as BulkTarget;
    const counts = countStates(chunks);
    const outcomes = this.outcomes(target, chunks);
    const failedLines = outcomes.filter((o) => o.outcome !== 'succeeded');
    const result: RemediationResult = {
      outcome: counts.failed + counts.unknown === 0 ? 'succeeded' : 'failed',
      summary: `${counts.succeeded} of ${counts.total} succeeded; ${counts.failed} failed; ${counts.unknown} with an unknown outcome.`,
      facts: [
        { title: 'Succeeded', value: String(counts.succeeded) },
        { title: 'Failed', value: String(counts.failed) },
        { title: 'Outcome unknown', value: String(counts.unknown) },
      ],
      details: failedLines.slice(0, 20).map((o) => `${o.label}: ${o.detail}`),
      graph: undefined,
    };
    const saved = await this.deps.remediations.update(r.id, (current) =>
      finishRun(current, result, new Date(this.deps.clock.now())),
    );
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
        result.outcome,
        final.approvedBy ?? { aadObjectId: run.approver.aadObjectId, name: run.approver.name },
        {
          detail: `bulk: ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.unknown} unknown of ${counts.total}`,
        },
      );
    }
    log.info({ counts }, 'bulk run finished');
    const card = bulkProgressCard(final, {
      phase: 'finished',
      numbers: counts,
      skipped: target.skipped.length,
      outcomes,
    });
    const summary = `${final.state}: ${final.confirmation.title}`;
    try {
      await this.deps.messenger.postCard(final.address, card, summary);
    } catch (err) {
      log.error({ err: describe(err) }, 'could not post the bulk summary');
    }
    await active.publisher.finish(async () => {
      if (!run.cardActivityId) return;
      try {
        await this.deps.messenger.updateCard(final.address, run.cardActivityId, card, summary);
      } catch (err) {
        log.error({ err: describe(err) }, 'could not update the bulk card with its summary');
      }
    });
  }

  /** Updates the run's card in place and, when `reply`, also says it in the thread (an update notifies no one). */
  private async show(
    r: Remediation,
    run: BulkRunRecord,
    card: AdaptiveCardJson,
    summary: string,
    reply: boolean,
  ) {
    try {
      if (run.cardActivityId)
        await this.deps.messenger.updateCard(r.address, run.cardActivityId, card, summary);
      if (reply) await this.deps.messenger.postCard(r.address, card, summary);
    } catch (err) {
      this.deps.logger.error({ remediationId: r.id, err: describe(err) }, 'could not publish the bulk card');
    }
  }

  private outcomes(target: BulkTarget, chunks: readonly ChunkRecord[]): TargetOutcome[] {
    const outcomes: TargetOutcome[] = [];
    for (const chunk of chunks) {
      chunk.items.forEach((state, offset) => {
        const item = target.items[chunk.index * CHUNK_SIZE + offset];
        if (!item) return;
        if (state.s === 'done')
          outcomes.push({ label: item.label, outcome: state.outcome, detail: state.summary });
        else if (state.s === 'unknown')
          outcomes.push({ label: item.label, outcome: 'unknown', detail: state.summary });
      });
    }
    return outcomes;
  }

  private async progressView(r: Remediation, notice: string | undefined): Promise<ProgressView> {
    const target = r.target as BulkTarget;
    const withNotice = notice ? { notice } : {};
    const live = this.active.get(r.id);
    if (live && r.state === 'running') {
      return {
        phase: 'running',
        numbers: live.runner.counts(),
        skipped: target.skipped.length,
        ...withNotice,
      };
    }
    const run = await this.bulk.run(r.id);
    const chunks = run ? await this.bulk.chunks(r.id, run.chunks) : [];
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
      outcomes: this.outcomes(target, chunks),
      ...withNotice,
    };
  }

  private async view(r: Remediation, notice?: string): Promise<CardActionResponse> {
    return {
      kind: 'card',
      card: await this.card(r, sharedView(this.deps.governance, this.action(r), notice)),
    };
  }

  /** Resume: a paused run continues with the clicker's sign-in, if the policy lets them approve it. */
  private async resumeClicked(r: Remediation, turn: CardActionTurn): Promise<CardActionResponse> {
    const run = await this.bulk.run(r.id);
    if (!run || run.state !== 'paused' || r.state !== 'running') return this.view(r);
    const may = await this.deps.governance.authorizer.canApprove(
      r.action,
      turn.from.aadObjectId,
      r.requestedBy.aadObjectId,
    );
    if (!may.allowed) return this.view(r, `${may.message} (rule: ${may.rule})`);
    const signedIn = await this.deps.signIn.signIn(turn, 'resume');
    if (signedIn.kind === 'answer') return signedIn.response;
    if (signedIn.kind === 'refused') return this.view(r, signedIn.notice);
    const { user, ssoToken } = signedIn;
    const approver = { aadObjectId: user.oid, name: user.name ?? turn.from.name, tenantId: user.tenantId };
    const token = this.tokenFor({ ...run, approver }, ssoToken);
    token.seed(signedIn.issued);
    const claimed = await this.bulk.updateRun(r.id, (current) =>
      current.state === 'paused'
        ? {
            ...current,
            state: 'running',
            approver,
            runner: this.deps.instance,
            heartbeatAt: new Date(this.deps.clock.now()).toISOString(),
            pausedReason: undefined,
            ...(current.cardActivityId || !turn.cardActivityId
              ? {}
              : { cardActivityId: turn.cardActivityId }),
          }
        : undefined,
    );
    if (!claimed?.changed) return this.view(r);
    if (this.deps.sealKey) await this.bulk.saveToken(r.id, sealToken(this.deps.sealKey, r.id, ssoToken));
    await auditRemediation(this.deps.governance, r, 'approved', approver, {
      detail: 'resumed a paused bulk run',
    });
    const chunks = await this.settledChunks(claimed.value);
    this.launch(r, claimed.value, chunks, token, turn.correlationId, this.deps.clock.now());
    return {
      kind: 'card',
      card: bulkProgressCard(r, {
        phase: 'running',
        numbers: countStates(chunks),
        skipped: (r.target as BulkTarget).skipped.length,
      }),
    };
  }

  /** Retry failed: a new pending bulk remediation for the failed targets only, which needs its own approval. */
  private async retryFailed(r: Remediation, turn: CardActionTurn): Promise<CardActionResponse> {
    const run = await this.bulk.run(r.id);
    if (!run || run.state !== 'finished') return this.view(r);
    const target = r.target as BulkTarget;
    const chunks = await this.bulk.chunks(r.id, run.chunks);
    const ids: string[] = [];
    for (const chunk of chunks) {
      chunk.items.forEach((state, offset) => {
        const item = target.items[chunk.index * CHUNK_SIZE + offset];
        if (item && ((state.s === 'done' && state.outcome === 'failed') || state.s === 'unknown'))
          ids.push(item.id);
      });
    }
    if (ids.length === 0) return this.view(r, 'Nothing failed, so there is nothing to retry.');
    const reserved = newOpaqueId();
    const claim = await this.bulk.updateRun(r.id, (current) =>
      current.retryRemediationId ? undefined : { ...current, retryRemediationId: reserved },
    );
    if (!claim?.changed) {
      return this.view(r, 'Retry failed was already requested; its confirmation is in this thread.');
    }
    const action = this.action(r);
    const param = bulkParam(action) ?? 'user';
    const flags = Object.fromEntries(Object.entries(r.args.flags).filter(([name]) => name !== 'group'));
    const args: ActionArgs = { positional: { [param]: ids[0] ?? '' }, flags, lists: { [param]: ids } };
    const release = () =>
      this.bulk.updateRun(r.id, (current) =>
        current.retryRemediationId === reserved ? { ...current, retryRemediationId: undefined } : undefined,
      );
    const log = this.deps.logger.child({ correlationId: turn.correlationId, remediationId: r.id });
    try {
      const resolved = await this.deps.resolver.resolve(action, args, {
        from: turn.from,
        address: r.address,
        command: `${action.name} (the ${ids.length} failed of ${r.id})`,
        remediationId: reserved,
        bulk: true,
        correlationId: turn.correlationId,
      });
      if (!resolved.remediation) {
        await release();
        return this.view(r, resolved.summary);
      }
      await postResolvedCard(this.deps.messenger, this.deps.remediations, r.address, resolved, log);
    } catch (err) {
      // A request written without its card stays pending until it expires; Retry failed works again.
      log.error({ err: errorMessage(err) }, 'the retry of failed bulk targets could not be offered');
      await release();
      return this.view(
        r,
        'The retry request could not be saved or posted, so it cannot be approved; nothing was run. Try Retry failed again in a minute.',
      );
    }
    this.deps.logger.info(
      { correlationId: turn.correlationId, remediationId: r.id, retry: reserved, targets: ids.length },
      'retry of failed bulk targets requested',
    );
    return this.view(
      r,
      `A new request for the ${ids.length} failed target${ids.length === 1 ? '' : 's'} was posted below; it needs approval.`,
    );
  }
}
