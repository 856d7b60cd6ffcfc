import { z } from 'zod';
import type { RemediationAction } from '../actions/action';
import type { ActionRegistry } from '../actions/registry';
import { noticeCard, remediationCard } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import {
  baseConversationId,
  type Actor,
  type CardActionResponse,
  type CardActionTurn,
  type Messenger,
} from '../chat/chat-types';
import type { CardActionHandler } from '../chat/card-action-router';
import type { Clock } from '../clock';
import { OboError } from '../auth/on-behalf-of';
import { SsoTokenError, type VerifiedUser } from '../auth/sso-token-validator';
import type { GraphApi } from '../graph/graph-api';
import { GraphFailure } from '../graph/graph-failure';
import type { Logger } from '../logger';
import { explainFailure } from './failure-explanation';
import {
  cancel,
  finishRun,
  recordActor,
  startRun,
  type Remediation,
  type RemediationResult,
} from './remediation';
import { newOpaqueId, RemediationStore } from './remediation-store';
import type { TargetResolver } from './target-resolver';

/** Validates the SSO token that came with a click. */
export interface TokenValidator {
  validate(token: string, expectedOid: string | undefined): Promise<VerifiedUser>;
}

/** Builds a Graph client that acts as the approver (on-behalf-of their SSO token). */
export type DelegatedGraphFactory = (
  user: VerifiedUser,
  ssoToken: string,
  correlationId: string,
) => Promise<GraphApi>;

/** Everything the approval flow depends on, injected so tests drive it with fakes on the wire. */
export interface ApprovalDeps {
  readonly registry: ActionRegistry;
  readonly store: RemediationStore;
  readonly resolver: TargetResolver;
  readonly validator: TokenValidator;
  readonly delegatedGraph: DelegatedGraphFactory;
  readonly messenger: Messenger;
  readonly clock: Clock;
  /** How long an invoke may take, sign-in checks included, before it answers "Running". */
  readonly deadlineMs: number;
  readonly logger: Logger;
  /**
   * Local sandbox only: where an approver's token comes from when the client does no SSO. The token is
   * still validated and exchanged on-behalf-of like one from Teams.
   */
  readonly sandboxSsoToken?: (from: Actor) => Promise<string | undefined>;
}

const remediationData = z.object({ rid: z.string().max(64) }).passthrough();
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
 * Handles Approve, Cancel and pick clicks. The card's data is only an opaque id; state, action and target
 * come from the store, and a conditional write lets exactly one click start the Graph call.
 */
export class ApprovalHandler implements CardActionHandler {
  readonly verbs = ['approve', 'cancel', 'pick'] as const;
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly deps: ApprovalDeps) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    switch ((turn.verb ?? '').toLowerCase()) {
      case 'approve':
        return this.approve(turn);
      case 'cancel':
        return this.cancel(turn);
      case 'pick':
        return this.pick(turn);
      default:
        return error(400, 'UnknownVerb', 'This button is not one the bot knows. Run the command again.');
    }
  }

  /** Resolves when every remediation started so far has finished and been published. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async load(turn: CardActionTurn): Promise<Remediation | CardActionResponse> {
    const data = remediationData.safeParse(turn.data);
    if (!data.success)
      return error(400, 'BadCardData', 'This card is missing its request id. Run the command again.');
    const r = await this.deps.store.get(data.data.rid);
    if (!r) return UNKNOWN;
    if (baseConversationId(r.address.conversationId) !== baseConversationId(turn.address.conversationId))
      return FOREIGN;
    return r;
  }

  private action(r: Remediation): RemediationAction {
    const action = this.deps.registry.find(r.action);
    if (!action) throw new Error(`Stored remediation ${r.id} names unknown action ${r.action}`);
    return action;
  }

  private card(r: Remediation, notice?: string): CardActionResponse {
    return { kind: 'card', card: remediationCard(r, this.action(r).roles, notice) };
  }

  private async approve(turn: CardActionTurn): Promise<CardActionResponse> {
    const startedAt = performance.now();
    const loaded = await this.load(turn);
    if ('kind' in loaded) return loaded;
    const r = loaded;
    const log = this.deps.logger.child({ correlationId: turn.correlationId, remediationId: r.id });
    if (r.state !== 'pending' || r.confirmation.blocked) return this.card(r);
    const ssoToken = turn.ssoToken ?? (await this.deps.sandboxSsoToken?.(turn.from));
    if (!ssoToken) return { kind: 'loginRequest', text: 'Sign in to approve this remediation' };

    let user: VerifiedUser;
    try {
      user = await this.deps.validator.validate(ssoToken, turn.from.aadObjectId);
    } catch (err) {
      if (!(err instanceof SsoTokenError)) throw err;
      log.warn({ reason: err.reason }, 'sso token refused');
      if (/expired/.test(err.reason))
        return { kind: 'loginRequest', text: 'Your sign-in expired. Sign in again to approve.' };
      return this.card(r, `Approval refused: ${err.reason}. Nothing was run.`);
    }

    let graph: GraphApi;
    try {
      graph = await this.deps.delegatedGraph(user, ssoToken, turn.correlationId);
    } catch (err) {
      if (!(err instanceof OboError)) throw err;
      log.warn({ kind: err.kind, aadsts: err.aadsts }, 'on-behalf-of exchange failed');
      if (err.kind === 'expired')
        return { kind: 'loginRequest', text: 'Your sign-in expired. Sign in again to approve.' };
      return this.card(r, oboNotice(err));
    }

    const approver = { aadObjectId: user.oid, name: user.name ?? turn.from.name };
    const claimed = await this.deps.store.update(r.id, (current) =>
      startRun(current, approver, this.deps.clock.now()),
    );
    if (!claimed) return UNKNOWN;
    if (!claimed.changed) return this.card(claimed.value);
    log.info({ action: r.action, approver: user.oid }, 'remediation approved; running');

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
      if (!failure) log.error({ err }, 'remediation threw');
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
      finishRun(current, result, this.deps.clock.now()),
    );
    const final = saved?.value ?? r;
    log.info(
      { outcome: final.state, graphStatus: result.graph?.status, requestId: result.graph?.requestId },
      'remediation finished',
    );
    await this.publish(final, clickedCardId, log, true);
    return final;
  }

  /** Shows the new state to everyone (an update notifies no one) and, for outcomes, replies in the thread. */
  private async publish(
    r: Remediation,
    clickedCardId: string | undefined,
    log: Logger,
    reply: boolean,
  ): Promise<void> {
    const card = remediationCard(r, this.action(r).roles);
    const summary = `${r.state}: ${r.confirmation.title}`;
    const activityId = r.cardActivityId ?? clickedCardId;
    try {
      if (activityId) await this.deps.messenger.updateCard(r.address, activityId, card, summary);
      if (reply) await this.deps.messenger.postCard(r.address, card, summary);
    } catch (err) {
      log.error({ err: describe(err) }, 'could not publish the remediation card');
    }
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch(() => undefined).finally(() => this.running.delete(tracked));
    this.running.add(tracked);
  }

  private async cancel(turn: CardActionTurn): Promise<CardActionResponse> {
    const loaded = await this.load(turn);
    if ('kind' in loaded) return loaded;
    const updated = await this.deps.store.update(loaded.id, (r) =>
      cancel(r, recordActor(turn.from), this.deps.clock.now()),
    );
    if (!updated) return UNKNOWN;
    if (updated.changed) {
      this.deps.logger.info(
        { correlationId: turn.correlationId, remediationId: loaded.id },
        'remediation cancelled',
      );
      this.track(this.publish(updated.value, turn.cardActivityId, this.deps.logger, false));
    }
    return this.card(updated.value);
  }

  private async pick(turn: CardActionTurn): Promise<CardActionResponse> {
    const data = pickData.safeParse(turn.data);
    if (!data.success) return error(400, 'BadCardData', 'This choice is not valid. Run the command again.');
    const selection = await this.deps.store.getSelection(data.data.sid);
    if (!selection) return UNKNOWN;
    if (
      baseConversationId(selection.address.conversationId) !== baseConversationId(turn.address.conversationId)
    ) {
      return FOREIGN;
    }
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
      from: { id: '', aadObjectId: selection.requestedBy.aadObjectId, name: selection.requestedBy.name },
      address: selection.address,
      command: selection.command,
      remediationId: reserved,
    });
    if (resolved.remediation && turn.cardActivityId) {
      const activityId = turn.cardActivityId;
      await this.deps.store.update(reserved, (r) =>
        r.cardActivityId ? undefined : { ...r, cardActivityId: activityId },
      );
    }
    return { kind: 'card', card: resolved.card };
  }
}

function deadline(ms: number): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), ms).unref());
}

function oboNotice(err: OboError): string {
  const code = err.aadsts ? ` (AADSTS${err.aadsts})` : '';
  switch (err.kind) {
    case 'consent_required':
      return `Approval could not start: the app has not been granted the Graph permission it needs in your tenant${code}. A Global or Privileged Role Administrator must grant admin consent to the app registration, then approve again. Nothing was run.`;
    case 'invalid_grant':
      return `Approval could not start: Entra refused to exchange your sign-in${code}. Sign out of Teams and back in (or complete any MFA prompt), then approve again. Nothing was run.`;
    case 'authority_unreachable':
      return 'Approval could not start: Microsoft Entra could not be reached. Try again in a minute. Nothing was run.';
    default:
      return `Approval could not start: the sign-in exchange failed${code}. Try again; if it persists, check the app registration's credentials. Nothing was run.`;
  }
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
