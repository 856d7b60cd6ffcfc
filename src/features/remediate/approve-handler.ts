import { auditRemediation } from '../../domain/governance/governance';
import { isOverdue, startRun, type Remediation } from '../../domain/remediation/remediation';
import { VERBS } from '../shared/verbs';
import type { CardActionHandler } from '../shared/card-action-router';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import { UNKNOWN_REQUEST, type ApprovalContext } from './approval-context';
import { decidedBy } from './outcome-notice';
import { runRemediation } from './remediation-run';
import { checkRetryAnyway } from './retry-anyway';

/**
 * Approve, and Retry anyway (Approve with a required reason, where the diagnosis says a retry cannot help
 * yet; checked in retry-anyway.ts): the policy decides who may approve, the shared approver sign-in proves
 * who clicked and gets a Graph token on their behalf, and one conditional pending → running write lets exactly one click run the
 * remediation. A single remediation runs here (answering "Running" when it outlasts the invoke deadline); a
 * bulk one goes to the bulk hook.
 */
export class ApproveHandler implements CardActionHandler {
  readonly verbs = [VERBS.approve, VERBS.retryAnyway];

  constructor(private readonly ctx: ApprovalContext) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const { ctx } = this;
    const { deps } = ctx;
    const startedAt = performance.now();
    const loaded = await ctx.load(turn);
    if ('kind' in loaded) return loaded;
    const r = loaded;
    const log = deps.logger.child({ correlationId: turn.correlationId, remediationId: r.id });
    if (r.state === 'expired')
      return ctx.card(r, 'This request expired before anyone approved it; it can no longer run.');
    if (r.state !== 'pending' || r.confirmation.blocked) return ctx.card(r);
    const may = await deps.governance.authorizer.canApprove(
      r.action,
      turn.from.aadObjectId,
      r.requestedBy.aadObjectId,
    );
    if (!may.allowed) return ctx.refuse(r, turn, may.rule, may.message);
    const anyway = checkRetryAnyway(turn, r);
    if (!anyway.ok) return ctx.card(r, anyway.notice);

    const signedIn = await deps.signIn.signIn(turn, 'approve');
    if (signedIn.kind === 'answer') return signedIn.response;
    if (signedIn.kind === 'refused') return ctx.card(r, signedIn.notice);
    const { user, ssoToken, issued } = signedIn;

    const approver = { aadObjectId: user.oid, name: user.name ?? turn.from.name };
    const claimed = await deps.store.update(r.id, (current) =>
      isOverdue(current, new Date(deps.clock.now()))
        ? undefined
        : decidedBy(startRun(current, approver, new Date(deps.clock.now()), deps.instance), turn),
    );
    if (!claimed) return UNKNOWN_REQUEST;
    if (!claimed.changed) {
      return claimed.value.state === 'pending'
        ? ctx.card(claimed.value, 'This request expired before it could be approved; it can no longer run.')
        : ctx.card(claimed.value);
    }
    const bulk = deps.bulk?.owns(claimed.value) ? deps.bulk : undefined;
    if (!bulk) await deps.store.markRunning(r.id);
    await auditRemediation(
      deps.governance,
      claimed.value,
      'approved',
      approver,
      anyway.reason ? { detail: `retry anyway: ${anyway.reason}` } : {},
    );
    log.info({ action: r.action, approver: user.oid }, 'remediation approved; running');
    if (bulk) {
      const access = { user, ssoToken, issued, correlationId: turn.correlationId };
      return { kind: 'card', card: await bulk.start(claimed.value, access, turn.cardActivityId) };
    }

    const graph = deps.delegatedGraph(async () => issued.token, turn.correlationId);
    const run = runRemediation(ctx, claimed.value, graph, turn.cardActivityId, log);
    ctx.track(run);
    const remaining = Math.max(0, deps.deadlineMs - (performance.now() - startedAt));
    const finished = await Promise.race([run, deadline(remaining)]);
    return ctx.card(finished ?? claimed.value);
  }
}

/** Resolves undefined after `ms`, so a slow run answers "Running" and finishes in the background. */
function deadline(ms: number): Promise<Remediation | undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}
