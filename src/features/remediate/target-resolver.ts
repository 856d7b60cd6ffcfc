import type { ActionArgs, RemediationAction } from '../../domain/actions/action';
import type { AdaptiveCardJson } from '../cards/render';
import {
  choiceCard,
  noticeCard,
  remediationCard,
  sharedView,
  type CardView,
} from '../cards/remediation-cards';
import type { Actor, ConversationAddress } from '../../domain/conversation';
import type { Clock } from '../../infra/clock';
import { PICK_LIST_SIZE } from '../../infra/graph/directory-lookup';
import type { GraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import { newOpaqueId, type RemediationStore } from '../../domain/remediation/remediation-store';
import { auditRemediation, type Governance } from '../../domain/governance/governance';
import { recordActor, type Remediation } from '../../domain/remediation/remediation';
import { isBulkTarget, type BulkResolution } from '../../domain/remediation/bulk-target';

/** A card to show, and the remediation it stands for when there is one. */
export interface ResolvedCard {
  readonly card: AdaptiveCardJson;
  readonly summary: string;
  readonly remediation?: Remediation;
}

/**
 * How the resolver hands a request for several targets (or a group) to the bulk feature, which expands it and
 * draws its confirmation; policy, storage, audit and expiry stay the resolver's.
 */
export interface BulkHook {
  /** True for several named targets or `--group`. */
  applies(action: RemediationAction, args: ActionArgs): boolean;
  resolve(action: RemediationAction, args: ActionArgs, graph: GraphApi): Promise<BulkResolution>;
  /** The confirmation of a pending bulk remediation (undefined for a single one). */
  confirmationCard(r: Remediation, view: CardView): AdaptiveCardJson | undefined;
}

/** What starting a remediation needs besides the command itself. */
export interface ResolveContext {
  readonly from: Actor;
  readonly address: ConversationAddress;
  readonly command: string;
  /** The turn's, sent to Graph with the look-up so the turn can be followed into Graph's logs. */
  readonly correlationId: string;
  /** Set when the id was reserved earlier, e.g. by a pick list that promised it. */
  readonly remediationId?: string;
  /** A bulk remediation even for one target (Retry failed, Remediate all). */
  readonly bulk?: boolean;
  /** The message the card will replace (a clicked card), recorded with the remediation. */
  readonly cardActivityId?: string;
  /** When the failure was first detected, where that came before the request (a monitor's failure card). */
  readonly detectedAt?: string;
}

/**
 * Looks the target up with the app's read-only Graph client and turns the answer into the next card:
 * a confirmation (stored as a pending remediation), a pick list, or a clear not-found message.
 */
export class TargetResolver {
  constructor(
    private readonly store: RemediationStore,
    /** The app's read-only client, as seen from one turn (its correlation id). */
    private readonly readGraph: (correlationId: string) => GraphApi,
    private readonly clock: Clock,
    private readonly governance: Governance,
    /** Expands requests for several targets (or a group) into one bulk remediation. */
    private readonly bulk?: BulkHook,
  ) {}

  /**
   * The card, with the records behind it (the pending remediation and its audit entry, a pick list, a refusal's
   * audit entry) already written: a card never goes out before the request it offers to approve exists.
   * A storage failure rejects, and nothing is shown.
   */
  async resolve(action: RemediationAction, args: ActionArgs, ctx: ResolveContext): Promise<ResolvedCard> {
    const may = await this.governance.authorizer.canRequest(action.name, ctx.from.aadObjectId);
    if (!may.allowed) {
      await this.governance.audit.append({
        event: 'request-refused',
        actor: recordActor(ctx.from),
        conversationId: ctx.address.conversationId,
        remediationId: undefined,
        action: action.name,
        target: ctx.command,
        detail: may.rule,
      });
      return {
        card: noticeCard({
          title: 'Not allowed',
          text: may.message,
          color: 'Warning',
          hint: `Rule: ${may.rule}`,
        }),
        summary: may.message,
      };
    }
    const bulk = this.bulk && (ctx.bulk || this.bulk.applies(action, args)) ? this.bulk : undefined;
    const graph = this.readGraph(ctx.correlationId);
    let resolution;
    try {
      resolution = bulk ? await bulk.resolve(action, args, graph) : await action.resolve(args, graph);
    } catch (err) {
      if (!(err instanceof GraphFailure)) throw err;
      return { card: lookupFailureCard(err), summary: 'The lookup in Microsoft Graph failed' };
    }
    const now = new Date(this.clock.now()).toISOString();
    switch (resolution.kind) {
      case 'refused':
        return {
          card: noticeCard({ title: resolution.title, text: resolution.message, color: 'Warning' }),
          summary: resolution.message,
        };
      case 'not-found':
        return {
          card: noticeCard({ title: 'Not found', text: resolution.message, color: 'Warning' }),
          summary: resolution.message,
        };
      case 'ambiguous': {
        const sid = newOpaqueId();
        const candidates = resolution.candidates.slice(0, PICK_LIST_SIZE);
        await this.store.createSelection({
          id: sid,
          action: action.name,
          command: ctx.command,
          candidates,
          address: ctx.address,
          requestedBy: recordActor(ctx.from),
          createdAt: now,
        });
        return {
          card: choiceCard({
            prompt: resolution.prompt,
            candidates: candidates.map((c, index) => ({ label: c.label, detail: c.detail, index, sid })),
          }),
          summary: resolution.prompt,
        };
      }
      case 'resolved': {
        const { confirmation } = resolution;
        const expiresAt = new Date(
          this.clock.now() + this.governance.authorizer.ruleFor(action.name).expiryMs,
        );
        const remediation: Remediation = {
          id: ctx.remediationId ?? newOpaqueId(),
          action: action.name,
          args,
          command: ctx.command,
          target: resolution.target,
          confirmation,
          address: ctx.address,
          requestedBy: recordActor(ctx.from),
          subject: subjectOf(action, resolution.target),
          ...(ctx.from.id ? { requesterTeamsId: ctx.from.id } : {}),
          ...(ctx.cardActivityId ? { cardActivityId: ctx.cardActivityId } : {}),
          createdAt: now,
          ...(ctx.detectedAt ? { detectedAt: ctx.detectedAt } : {}),
          expiresAt: expiresAt.toISOString(),
          state: 'pending',
        };
        // A reserved id may already be taken (a double click): create refuses it, and only the request
        // that stored the record is audited.
        await this.store.create(remediation);
        await auditRemediation(this.governance, remediation, 'requested', remediation.requestedBy, {
          ...(remediation.confirmation.blocked
            ? { detail: `blocked: ${remediation.confirmation.blocked}` }
            : {}),
        });
        const view = sharedView(this.governance, action);
        return {
          card: bulk?.confirmationCard(remediation, view) ?? remediationCard(remediation, view),
          summary: resolution.confirmation.title,
          remediation,
        };
      }
    }
  }
}

/** What a remediation acts on, in words: the target's name and id, or a bulk run's count and source. */
function subjectOf(action: RemediationAction, target: unknown): string {
  if (isBulkTarget(target)) {
    const n = target.items.length;
    const skipped = target.skipped.length > 0 ? `, ${target.skipped.length} skipped` : '';
    return `${n} target${n === 1 ? '' : 's'} (${target.source}${skipped})`;
  }
  const { id, label } = action.describe(target);
  return label.includes(id) ? label : `${label} · ${id}`;
}

function lookupFailureCard(f: GraphFailure) {
  const what =
    f.status === 403
      ? "The bot's app registration may not read this in Microsoft Graph: grant it the read permissions listed in the README."
      : f.status === 429 || f.status >= 500 || f.status === 0
        ? 'Microsoft Graph is busy or unreachable. Try again in a few minutes.'
        : 'Check the command and try again.';
  return noticeCard({
    title: 'Lookup failed',
    text: `Microsoft Graph answered ${f.status || 'nothing'} (${f.code}): ${f.message}`,
    color: 'Attention',
    hint: `${what}${f.requestId ? ` request-id ${f.requestId}${f.date ? `, ${f.date}` : ''}` : ''}`,
  });
}
