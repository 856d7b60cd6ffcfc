import { z } from 'zod';
import { InFlight } from '../../infra/in-flight';
import type { RemediationAction } from '../../domain/actions/action';
import type { ActionRegistry } from '../../domain/actions/registry';
import { noticeCard, remediationCard, type CardView, sharedView } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import { type CardActionResponse, type CardActionTurn, type Messenger } from '../shared/turns';
import { sameConversation } from '../../domain/conversation';
import type { CardActionHandler } from '../shared/card-action-router';
import type { Clock } from '../../infra/clock';
import type { VerifiedUser } from '../../infra/auth/sso-token-validator';
import type { ApproverSignIn } from '../shared/approver-sign-in';
import type { DelegatedGraphFactory, GraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import type { Logger } from '../../infra/logger';
import { settleExpiry } from '../../domain/remediation/expiry';
import { explainFailure } from './failure-explanation';
import { auditRemediation, type Governance } from '../../domain/governance/governance';
import {
  cancel,
  finishRun,
  isOverdue,
  recordActor,
  reject,
  startRun,
  type RecordedActor,
  type RunnerIdentity,
  type Remediation,
  type RemediationResult,
} from '../../domain/remediation/remediation';
import { newOpaqueId, RemediationStore } from '../../domain/remediation/remediation-store';
import type { TargetResolver } from './target-resolver';
import type { IssuedToken } from '../shared/delegated-token';

/**
 * Where bulk remediations go once approved: the policy checks, sign-in, on-behalf-of exchange and the
 * conditional pending → running write stay here, shared with single remediations; the hook runs the targets
 * and draws the bulk cards.
 */
export interface BulkRemediations {
  owns(r: Remediation): boolean;
  card(r: Remediation, view: CardView): Promise<AdaptiveCardJson>;
  start(
    r: Remediation,
    access: {
      readonly user: VerifiedUser;
      readonly ssoToken: string;
      readonly issued: IssuedToken;
      readonly correlationId: string;
    },
    clickedCardId: string | undefined,
  ): Promise<AdaptiveCardJson>;
}

/** Everything the approval flow depends on, injected so tests drive it with fakes on the wire. */
export interface ApprovalDeps {
  readonly registry: ActionRegistry;
  readonly store: RemediationStore;
  readonly resolver: TargetResolver;
  /** Proves who clicked Approve and exchanges their sign-in for a Graph token (shared with Resume). */
  readonly signIn: ApproverSignIn;
  readonly delegatedGraph: DelegatedGraphFactory;
  readonly messenger: Messenger;
  readonly clock: Clock;
  /** How long an invoke may take, sign-in checks included, before it answers "Running". */
  readonly deadlineMs: number;
  readonly logger: Logger;
  readonly governance: Governance;
  /** This process, recorded on every run it starts so a restart can tell interrupted runs apart. */
  readonly instance?: RunnerIdentity;
  /** Runs bulk remediations after the same approval; absent: every remediation is single. */
  readonly bulk?: BulkRemediations;
}

const remediationData = z.object({ rid: z.string().max(64) }).passthrough();
const rejectData = z
  .object({ rid: z.string().max(64), reason: z.string().max(500).optional() })
  .passthrough();
const pickData = z
  .object({ sid: z.string().max(64), pick: z.coerce.number().int().min(0).max(50) })
  .passthrough();

function error(status: 400 | 403 | 404 | 500, code: string, message: string): CardActionResponse {
  return { kind: 'error', status, code, message };
}

const UNKNOWN = error(
  404,
  'UnknownRemediation',
  'This card refers to a request the bot does not know (it may have been removed). Run the command again.',
);
const FOREIGN = error(
  403,
  'ForeignConversation',
  'This card belongs to another conversation and cannot be used here.',
);

/**
 * Handles Approve, Reject, Cancel, pick and refresh. The card's data is only an opaque id; state, action
 * and target come from the store, the approval policy decides who may do what, and a conditional write
 * lets exactly one click move a remediation out of `pending`.
 */
export class ApprovalHandler implements CardActionHandler {
  readonly verbs = ['approve', 'reject', 'cancel', 'pick', 'refresh'] as const;
  private readonly running = new InFlight();

  constructor(private readonly deps: ApprovalDeps) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    switch ((turn.verb ?? '').toLowerCase()) {
      case 'approve':
        return this.approve(turn);
      case 'reject':
        return this.reject(turn);
      case 'cancel':
        return this.cancel(turn);
      case 'pick':
        return this.pick(turn);
      case 'refresh':
        return this.refresh(turn);
      default:
        return error(400, 'UnknownVerb', 'This button is not one the bot knows. Run the command again.');
    }
  }

  /** Resolves when every remediation started so far has finished and been published. */
  async drain(): Promise<void> {
    await this.running.drain();
  }

  /** Loads the clicked remediation, checks it belongs here, and expires it if its window has passed. */
  private async load(turn: CardActionTurn): Promise<Remediation | CardActionResponse> {
    const data = remediationData.safeParse(turn.data);
    if (!data.success)
      return error(400, 'BadCardData', 'This card is missing its request id. Run the command again.');
    const r = await this.deps.store.get(data.data.rid);
    if (!r) return UNKNOWN;
    if (!sameConversation(r.address, turn.address)) return FOREIGN;
    const settled = await settleExpiry(r, this.deps.store, this.deps.governance, this.deps.clock);
    if (settled.justExpired) {
      this.track(this.publish(settled.remediation, turn.cardActivityId, this.deps.logger, false));
    }
    return settled.remediation;
  }

  private action(r: Remediation): RemediationAction {
    const action = this.deps.registry.find(r.action);
    if (!action) throw new Error(`Stored remediation ${r.id} names unknown action ${r.action}`);
    return action;
  }

  private view(r: Remediation, notice?: string): CardView {
    return sharedView(this.deps.governance, this.action(r), notice);
  }

  private async card(r: Remediation, notice?: string): Promise<CardActionResponse> {
    return { kind: 'card', card: await this.render(r, this.view(r, notice)) };
  }

  /** The card of a remediation for a view: the bulk cards for a bulk one, else the usual. */
  private render(r: Remediation, view: CardView): Promise<AdaptiveCardJson> | AdaptiveCardJson {
    return this.deps.bulk?.owns(r) ? this.deps.bulk.card(r, view) : remediationCard(r, view);
  }

  /** Someone the policy refuses: their card says which rule, and the trail records the attempt. */
  private async refuse(r: Remediation, turn: CardActionTurn, rule: string, message: string) {
    await auditRemediation(this.deps.governance, r, 'approval-refused', recordActor(turn.from), {
      detail: rule,
    });
    this.deps.logger.warn(
      { correlationId: turn.correlationId, remediationId: r.id, rule },
      'click refused by policy',
    );
    return this.card(r, `${message} (rule: ${rule})`);
  }

  private async approve(turn: CardActionTurn): Promise<CardActionResponse> {
    const startedAt = performance.now();
    const loaded = await this.load(turn);
    if ('kind' in loaded) return loaded;
    const r = loaded;
    const log = this.deps.logger.child({ correlationId: turn.correlationId, remediationId: r.id });
    if (r.state === 'expired')
      return this.card(r, 'This request expired before anyone approved it; it can no longer run.');
    if (r.state !== 'pending' || r.confirmation.blocked) return this.card(r);
    const may = await this.deps.governance.authorizer.canApprove(
      r.action,
      turn.from.aadObjectId,
      r.requestedBy.aadObjectId,
    );
    if (!may.allowed) return this.refuse(r, turn, may.rule, may.message);

    const signedIn = await this.deps.signIn.signIn(turn, 'approve');
    if (signedIn.kind === 'answer') return signedIn.response;
    if (signedIn.kind === 'refused') return this.card(r, signedIn.notice);
    const { user, ssoToken, issued } = signedIn;

    const approver = { aadObjectId: user.oid, name: user.name ?? turn.from.name };
    const claimed = await this.deps.store.update(r.id, (current) =>
      isOverdue(current, new Date(this.deps.clock.now()))
        ? undefined
        : startRun(current, approver, new Date(this.deps.clock.now()), this.deps.instance),
    );
    if (!claimed) return UNKNOWN;
    if (!claimed.changed) {
      return claimed.value.state === 'pending'
        ? this.card(claimed.value, 'This request expired before it could be approved; it can no longer run.')
        : this.card(claimed.value);
    }
    const bulk = this.deps.bulk?.owns(claimed.value) ? this.deps.bulk : undefined;
    if (!bulk) await this.deps.store.markRunning(r.id);
    await auditRemediation(this.deps.governance, claimed.value, 'approved', approver);
    log.info({ action: r.action, approver: user.oid }, 'remediation approved; running');
    if (bulk) {
      const access = { user, ssoToken, issued, correlationId: turn.correlationId };
      return { kind: 'card', card: await bulk.start(claimed.value, access, turn.cardActivityId) };
    }

    const graph = this.deps.delegatedGraph(async () => issued.token, turn.correlationId);
    const run = this.execute(claimed.value, graph, turn.cardActivityId, log);
    this.track(run);
    const remaining = Math.max(0, this.deps.deadlineMs - (performance.now() - startedAt));
    const finished = await Promise.race([run, deadline(remaining)]);
    return this.card(finished ?? claimed.value);
  }

  private async execute(
    r: Remediation,
    graph: GraphApi,
    clickedCardId: string | undefined,
    log: Logger,
  ): Promise<Remediation> {
    const action = this.action(r);
    let result: RemediationResult;
    try {
      const response = await action.execute(r.target, graph);
      const meaning = action.interpret(r.target, response);
      result = {
        ...meaning,
        graph: {
          status: response.status,
          code: undefined,
          message: undefined,
          requestId: response.requestId,
          date: response.date,
        },
      };
    } catch (err) {
      const failure = err instanceof GraphFailure ? err : undefined;
      if (!failure) log.error({ err: describe(err) }, 'remediation threw');
      result = {
        outcome: 'failed',
        summary: failure
          ? explainFailure(action, r.approvedBy?.name ?? 'the approver', failure)
          : 'The bot hit an unexpected error; the outcome is unknown. Check the target in Entra before running the command again.',
        facts: [],
        details: [],
        graph: failure
          ? {
              status: failure.status,
              code: failure.code,
              message: failure.message,
              requestId: failure.requestId,
              date: failure.date,
            }
          : undefined,
      };
    }
    const saved = await this.deps.store.update(r.id, (current) =>
      finishRun(current, result, new Date(this.deps.clock.now())),
    );
    const final = saved?.value ?? r;
    await this.deps.store.clearRunning(r.id);
    await auditRemediation(
      this.deps.governance,
      final,
      result.outcome,
      r.approvedBy ?? { aadObjectId: undefined, name: 'unknown' },
      {
        ...(result.graph
          ? { graph: { status: result.graph.status, requestId: result.graph.requestId } }
          : {}),
        ...(result.graph?.code ? { detail: result.graph.code } : {}),
      },
    );
    log.info(
      { outcome: final.state, graphStatus: result.graph?.status, requestId: result.graph?.requestId },
      'remediation finished',
    );
    await this.publish(final, clickedCardId, log, true);
    return final;
  }

  /** Shows the new state to everyone (an update notifies no one) and, where asked, replies in the thread. */
  private async publish(
    r: Remediation,
    clickedCardId: string | undefined,
    log: Logger,
    reply: boolean,
  ): Promise<void> {
    const card = await this.render(r, this.view(r));
    const summary = `${r.result?.headline ?? r.state}: ${r.confirmation.title}`;
    const activityId = r.cardActivityId ?? clickedCardId;
    try {
      if (activityId) await this.deps.messenger.updateCard(r.address, activityId, card, summary);
      if (reply) await this.deps.messenger.postCard(r.address, card, summary);
    } catch (err) {
      log.error({ err: describe(err) }, 'could not publish the remediation card');
    }
  }

  private track(p: Promise<unknown>): void {
    this.running.track(p);
  }

  private async reject(turn: CardActionTurn): Promise<CardActionResponse> {
    const loaded = await this.load(turn);
    if ('kind' in loaded) return loaded;
    if (loaded.state !== 'pending') return this.card(loaded);
    const may = await this.deps.governance.authorizer.canApprove(
      loaded.action,
      turn.from.aadObjectId,
      loaded.requestedBy.aadObjectId,
      'reject',
    );
    if (!may.allowed) return this.refuse(loaded, turn, may.rule, may.message);
    const reason = rejectData.safeParse(turn.data).data?.reason?.trim() || undefined;
    const by = recordActor(turn.from);
    return this.conclude(
      turn,
      loaded.id,
      by,
      (r) => reject(r, by, reason, new Date(this.deps.clock.now())),
      'rejected',
      {
        reply: true,
        ...(reason ? { detail: reason } : {}),
      },
    );
  }

  private async cancel(turn: CardActionTurn): Promise<CardActionResponse> {
    const loaded = await this.load(turn);
    if ('kind' in loaded) return loaded;
    if (loaded.state !== 'pending') return this.card(loaded);
    const requester = loaded.requestedBy.aadObjectId;
    if (!requester || requester.toLowerCase() !== (turn.from.aadObjectId ?? '').toLowerCase()) {
      return this.refuse(
        loaded,
        turn,
        'cancel: requester only',
        'Only the person who requested this can cancel it; approvers can reject it.',
      );
    }
    const by = recordActor(turn.from);
    return this.conclude(
      turn,
      loaded.id,
      by,
      (r) => cancel(r, by, new Date(this.deps.clock.now())),
      'cancelled',
      {
        reply: false,
      },
    );
  }

  /**
   * Ends a pending remediation without running it (reject, cancel): one conditional write decides, the
   * winner records it in the trail and shows the new state to everyone.
   */
  private async conclude(
    turn: CardActionTurn,
    id: string,
    by: RecordedActor,
    transition: (r: Remediation) => Remediation | undefined,
    event: 'rejected' | 'cancelled',
    options: { readonly reply: boolean; readonly detail?: string },
  ): Promise<CardActionResponse> {
    const updated = await this.deps.store.update(id, transition);
    if (!updated) return UNKNOWN;
    if (updated.changed) {
      await auditRemediation(
        this.deps.governance,
        updated.value,
        event,
        by,
        options.detail ? { detail: options.detail } : {},
      );
      this.deps.logger.info(
        { correlationId: turn.correlationId, remediationId: id, event },
        'remediation closed without running',
      );
      this.track(this.publish(updated.value, turn.cardActivityId, this.deps.logger, options.reply));
    }
    return this.card(updated.value);
  }

  /** Universal Actions refresh: the viewer's own card (their buttons only), or the final state for everyone. */
  private async refresh(turn: CardActionTurn): Promise<CardActionResponse> {
    const loaded = await this.load(turn);
    if ('kind' in loaded) return loaded;
    if (loaded.state !== 'pending') return this.card(loaded);
    const viewer = turn.from.aadObjectId;
    const may = await this.deps.governance.authorizer.canApprove(
      loaded.action,
      viewer,
      loaded.requestedBy.aadObjectId,
    );
    const isRequester =
      viewer !== undefined && loaded.requestedBy.aadObjectId?.toLowerCase() === viewer.toLowerCase();
    const view: CardView = {
      ...this.view(loaded),
      viewer: { canApprove: may.allowed, isRequester },
      ...(may.allowed || isRequester ? {} : { notice: 'Waiting for an approver.' }),
    };
    return { kind: 'card', card: await this.render(loaded, view) };
  }

  private async pick(turn: CardActionTurn): Promise<CardActionResponse> {
    const data = pickData.safeParse(turn.data);
    if (!data.success) return error(400, 'BadCardData', 'This choice is not valid. Run the command again.');
    const selection = await this.deps.store.getSelection(data.data.sid);
    if (!selection) return UNKNOWN;
    if (!sameConversation(selection.address, turn.address)) return FOREIGN;
    const candidate = selection.candidates[data.data.pick];
    const action = this.deps.registry.find(selection.action);
    if (!candidate || !action)
      return error(400, 'BadCardData', 'This choice is not valid. Run the command again.');
    const reserved = newOpaqueId();
    const claim = await this.deps.store.updateSelection(selection.id, (s) =>
      s.pickedRemediationId ? undefined : { ...s, pickedRemediationId: reserved },
    );
    if (!claim?.changed) {
      const existing = claim?.value.pickedRemediationId
        ? await this.deps.store.get(claim.value.pickedRemediationId)
        : undefined;
      return existing
        ? this.card(existing)
        : {
            kind: 'card',
            card: noticeCard({ title: 'Already chosen', text: 'Someone already picked from this list.' }),
          };
    }
    const resolved = await this.deps.resolver.resolve(action, candidate.args, {
      from: {
        id: selection.requesterTeamsId ?? '',
        aadObjectId: selection.requestedBy.aadObjectId,
        name: selection.requestedBy.name,
      },
      address: selection.address,
      command: selection.command,
      remediationId: reserved,
      correlationId: turn.correlationId,
      ...(turn.cardActivityId ? { cardActivityId: turn.cardActivityId } : {}),
    });
    return { kind: 'card', card: resolved.card };
  }
}

function deadline(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** The invoke response for cards that must not change; kept for the bot layer's error path. */
export function genericErrorCard(): AdaptiveCardJson {
  return noticeCard({
    title: 'Something went wrong',
    text: 'The bot hit an unexpected error. Nothing was run.',
    color: 'Attention',
  });
}
