import type { Remediation } from '../../domain/remediation/remediation';
import { isBulkTarget, type BulkTarget } from '../../domain/remediation/bulk-target';
import type { VerifiedUser } from '../../infra/auth/sso-token-validator';
import { bulkProgressCard } from '../cards/bulk-cards';
import { sharedView, type CardView } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import type { CardActionGroup, CardActionHandler } from '../shared/card-action-router';
import { sealToken, type IssuedToken } from '../shared/delegated-token';
import { BulkButtons } from './bulk-buttons';
import { bulkCard } from './bulk-card';
import { actionOf, approverToken, type BulkServiceDeps } from './bulk-deps';
import { countStates } from './item-states';
import { BulkRuns } from './bulk-runs';
import { BulkStore, CHUNK_SIZE, type BulkRunRecord } from './bulk-store';
import { RunResumption } from './run-resumption';

export type { BulkServiceDeps } from './bulk-deps';

/** The approver's access, as the approval flow established it. */
export interface ApproverAccess {
  readonly user: VerifiedUser;
  readonly ssoToken: string;
  /** The Graph token the approval already exchanged the sign-in for, when it did. */
  readonly issued?: IssuedToken;
  readonly correlationId: string;
}

/**
 * Bulk remediations after approval: starts a run with the approver's on-behalf-of token, keeps its progress
 * in the StateStore (under `bulk/`), updates one card in place, posts the summary, resumes runs a stopped
 * process left behind, and answers the Retry failed and Resume buttons. Approval itself (policy,
 * four-eyes, expiry, audit) is the ApprovalHandler's, unchanged: this only takes over once a click won.
 * The work is done by BulkRuns (a run's lifecycle), RunResumption (crash resume) and BulkButtons.
 */
export class BulkService implements CardActionGroup {
  private readonly bulk: BulkStore;
  private readonly runs: BulkRuns;
  private readonly resumption: RunResumption;
  private readonly buttons: BulkButtons;

  constructor(private readonly deps: BulkServiceDeps) {
    this.bulk = new BulkStore(deps.store);
    this.runs = new BulkRuns(deps, this.bulk);
    this.resumption = new RunResumption(deps, this.bulk, this.runs);
    this.buttons = new BulkButtons(deps, this.bulk, this.runs);
  }

  /** The buttons of a run's card (Retry failed, Resume), for the CardActionRouter. */
  get handlers(): readonly CardActionHandler[] {
    return this.buttons.handlers;
  }

  /** The ApprovalHandler's hook: true for a bulk remediation it should hand over. */
  owns(r: Remediation): boolean {
    return (
      isBulkTarget(r.target) && ['pending', 'running', 'succeeded', 'failed', 'unknown'].includes(r.state)
    );
  }

  /** The card of a bulk remediation in any state this service owns. */
  card(r: Remediation, view: CardView): Promise<AdaptiveCardJson> {
    return bulkCard(this.bulk, this.runs, r, view);
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
    if (!(await this.bulk.create(run)))
      return this.card(r, sharedView(this.deps.governance, actionOf(this.deps.registry, r)));
    const token = approverToken(this.deps, run.approver.tenantId, access.ssoToken);
    if (access.issued) token.seed(access.issued);
    if (this.deps.sealKey)
      await this.bulk.saveToken(r.id, sealToken(this.deps.sealKey, r.id, access.ssoToken));
    const chunks = await this.bulk.chunks(r.id, run.chunks);
    this.deps.logger.info({ remediationId: r.id, action: r.action, targets: run.total }, 'bulk run started');
    this.runs.launch(r, run, chunks, token, access.correlationId, this.deps.clock.now());
    return bulkProgressCard(r, {
      phase: 'running',
      numbers: countStates(chunks),
      skipped: target.skipped.length,
    });
  }

  /**
   * At start: resumes every run a process that is gone left `running` (see RunResumption); returns the ids of
   * the runs that continue.
   */
  resumeInterrupted(): Promise<string[]> {
    return this.resumption.resumeInterrupted();
  }

  /** Stops every run: batches in flight finish and are recorded, then each run is released for the next start. */
  close(): Promise<void> {
    return this.runs.close();
  }

  /** Resolves when every run this process holds has ended (finished, paused or released). */
  drain(): Promise<void> {
    return this.runs.drain();
  }
}
