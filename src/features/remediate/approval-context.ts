import { z } from 'zod';
import type { RemediationAction } from '../../domain/actions/action';
import { sameConversation } from '../../domain/conversation';
import { auditRemediation } from '../../domain/governance/governance';
import { settleExpiry } from '../../domain/remediation/expiry';
import { recordActor, type Remediation } from '../../domain/remediation/remediation';
import { InFlight } from '../../infra/in-flight';
import type { Logger } from '../../infra/logger';
import { outcomeHeadline, remediationCard, sharedView, type CardView } from '../cards/remediation-cards';
import type { AdaptiveCardJson } from '../cards/render';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import type { ApprovalDeps } from './approval-deps';
import { outcomeNotice } from './outcome-notice';

/** A click refused before anything changed; the bot layer answers it in the documented error form. */
export function clickError(status: 400 | 403 | 404 | 500, code: string, message: string): CardActionResponse {
  return { kind: 'error', status, code, message };
}

/** The card names a remediation or pick list the store does not hold. */
export const UNKNOWN_REQUEST = clickError(
  404,
  'UnknownRemediation',
  'This card refers to a request the bot does not know (it may have been removed). Run the command again.',
);

/** The card was clicked in a conversation other than the one it was posted to. */
export const FOREIGN_CONVERSATION = clickError(
  403,
  'ForeignConversation',
  'This card belongs to another conversation and cannot be used here.',
);

/** An error as one log field: its name and message, never its properties (which may hold a token). */
export function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

const remediationData = z.object({ rid: z.string().max(64) }).passthrough();

/**
 * What the buttons of one remediation card share, so each verb's handler holds only its own rule: the
 * remediation a click names (checked against its conversation, expired when overdue), its cards, the
 * policy refusal, and publishing the new state to everyone, tracked so shutdown can wait for it.
 */
export class ApprovalContext {
  private readonly running = new InFlight();

  constructor(readonly deps: ApprovalDeps) {}

  /** Loads the clicked remediation, checks it belongs here, and expires it if its window has passed. */
  async load(turn: CardActionTurn): Promise<Remediation | CardActionResponse> {
    const data = remediationData.safeParse(turn.data);
    if (!data.success)
      return clickError(400, 'BadCardData', 'This card is missing its request id. Run the command again.');
    const r = await this.deps.store.get(data.data.rid);
    if (!r) return UNKNOWN_REQUEST;
    if (!sameConversation(r.address, turn.address)) return FOREIGN_CONVERSATION;
    const settled = await settleExpiry(r, this.deps.store, this.deps.governance, this.deps.clock);
    if (settled.justExpired) {
      this.track(this.publish(settled.remediation, turn.cardActivityId, this.deps.logger, false));
    }
    return settled.remediation;
  }

  /**
   * The clicked remediation while it is still pending; once it has left `pending` (or the click is refused)
   * the answer to give instead: the card of its current state for everyone.
   */
  async loadPending(turn: CardActionTurn): Promise<Remediation | CardActionResponse> {
    const loaded = await this.load(turn);
    if ('kind' in loaded) return loaded;
    return loaded.state === 'pending' ? loaded : this.card(loaded);
  }

  /** The stored remediation's action; a record naming an unknown one is a bug, not a user error. */
  action(r: Remediation): RemediationAction {
    const action = this.deps.registry.find(r.action);
    if (!action) throw new Error(`Stored remediation ${r.id} names unknown action ${r.action}`);
    return action;
  }

  /** The view everyone shares, with a message for the clicker where there is one. */
  view(r: Remediation, notice?: string): CardView {
    return sharedView(this.deps.governance, this.action(r), notice);
  }

  /** The card of a remediation for a view: the bulk cards for a bulk one, else the usual. */
  render(r: Remediation, view: CardView): Promise<AdaptiveCardJson> | AdaptiveCardJson {
    return this.deps.bulk?.owns(r) ? this.deps.bulk.card(r, view) : remediationCard(r, view);
  }

  /** Answers the click with the remediation's shared card. */
  async card(r: Remediation, notice?: string): Promise<CardActionResponse> {
    return { kind: 'card', card: await this.render(r, this.view(r, notice)) };
  }

  /** Someone the policy refuses: their card says which rule, and the trail records the attempt. */
  async refuse(
    r: Remediation,
    turn: CardActionTurn,
    rule: string,
    message: string,
  ): Promise<CardActionResponse> {
    await auditRemediation(this.deps.governance, r, 'approval-refused', recordActor(turn.from), {
      detail: rule,
    });
    this.deps.logger.warn(
      { correlationId: turn.correlationId, remediationId: r.id, rule },
      'click refused by policy',
    );
    return this.card(r, `${message} (rule: ${rule})`);
  }

  /**
   * Shows the new state to everyone and, where asked, says it in the thread in one line that @mentions the
   * people involved (an update notifies no one).
   */
  async publish(
    r: Remediation,
    clickedCardId: string | undefined,
    log: Logger,
    reply: boolean,
  ): Promise<void> {
    const card = await this.render(r, this.view(r));
    const summary = `${outcomeHeadline(r)}: ${r.confirmation.title}`;
    const activityId = r.cardActivityId ?? clickedCardId;
    try {
      if (activityId) await this.deps.messenger.updateCard(r.address, activityId, card, summary);
      if (reply) await this.deps.messenger.postNotice(r.address, outcomeNotice(r, outcomeHeadline(r)));
    } catch (err) {
      log.error({ err: describeError(err) }, 'could not publish the remediation card');
    }
  }

  /** Keeps work that outlives its click (a run, a publish) so `drain` can wait for it. */
  track(work: Promise<unknown>): void {
    this.running.track(work);
  }

  /** Resolves when every tracked run and publish has finished. */
  drain(): Promise<void> {
    return this.running.drain();
  }
}
