import type { ActionArgs } from '../../domain/actions/action';
import { sameConversation } from '../../domain/conversation';
import { auditRemediation } from '../../domain/governance/governance';
import type { Remediation } from '../../domain/remediation/remediation';
import { newOpaqueId } from '../../domain/remediation/remediation-store';
import { bulkParam, isBulkTarget, type BulkTarget } from '../../domain/remediation/bulk-target';
import { errorMessage } from '../../infra/logger';
import { bulkProgressCard } from '../cards/bulk-cards';
import { sharedView } from '../cards/remediation-cards';
import { postResolvedCard } from '../remediate/post-card';
import type { CardActionGroup, CardActionHandler } from '../shared/card-action-router';
import { sealToken } from '../shared/delegated-token';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import { VERBS } from '../shared/verbs';
import { bulkCard } from './bulk-card';
import { actionOf, approverToken, type BulkServiceDeps } from './bulk-deps';
import { countStates } from './item-states';
import type { BulkRuns } from './bulk-runs';
import type { BulkStore } from './bulk-store';
import { failedItemIds } from './run-outcomes';
import { settledChunks } from './run-resumption';

const ridData = (data: unknown): string | undefined => {
  const rid = (data as { rid?: unknown } | undefined)?.rid;
  return typeof rid === 'string' && rid.length <= 64 ? rid : undefined;
};

/**
 * The buttons of a bulk run's card: Resume continues a paused run with the clicker's sign-in, and Retry failed
 * offers the failed targets again as a new request. Both work only on the card's own conversation.
 */
export class BulkButtons implements CardActionGroup {
  /** One handler per button, so the router alone decides the verb. */
  readonly handlers: readonly CardActionHandler[] = [
    { verbs: [VERBS.bulkResume], handle: (turn) => this.clicked(turn, (r) => this.resumeClicked(r, turn)) },
    { verbs: [VERBS.bulkRetry], handle: (turn) => this.clicked(turn, (r) => this.retryFailed(r, turn)) },
  ];

  constructor(
    private readonly deps: BulkServiceDeps,
    private readonly bulk: BulkStore,
    private readonly runs: BulkRuns,
  ) {}

  /** The clicked run's remediation, checked to be a bulk one of this conversation, handed to the button. */
  private async clicked(
    turn: CardActionTurn,
    button: (r: Remediation) => Promise<CardActionResponse>,
  ): Promise<CardActionResponse> {
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
    return button(r);
  }

  private async view(r: Remediation, notice?: string): Promise<CardActionResponse> {
    const view = sharedView(this.deps.governance, actionOf(this.deps.registry, r), notice);
    return { kind: 'card', card: await bulkCard(this.bulk, this.runs, r, view) };
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
    const token = approverToken(this.deps, approver.tenantId, ssoToken);
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
    const chunks = await settledChunks(this.bulk, claimed.value);
    this.runs.launch(r, claimed.value, chunks, token, turn.correlationId, this.deps.clock.now());
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
    const chunks = await this.bulk.chunks(r.id, run.chunks);
    const ids = failedItemIds(r.target as BulkTarget, chunks);
    if (ids.length === 0) return this.view(r, 'Nothing failed, so there is nothing to retry.');
    const reserved = newOpaqueId();
    const claim = await this.bulk.updateRun(r.id, (current) =>
      current.retryRemediationId ? undefined : { ...current, retryRemediationId: reserved },
    );
    if (!claim?.changed) {
      return this.view(r, 'Retry failed was already requested; its confirmation is in this thread.');
    }
    const action = actionOf(this.deps.registry, r);
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
