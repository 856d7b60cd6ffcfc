import type { CardActionHandler } from '../shared/card-action-router';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import type { Verb } from '../shared/verbs';
import { ApprovalContext, clickError } from './approval-context';
import type { ApprovalDeps } from './approval-deps';
import { ApproveHandler } from './approve-handler';
import { CancelHandler } from './cancel-handler';
import { PickHandler } from './pick-handler';
import { RefreshHandler } from './refresh-handler';
import { RejectHandler } from './reject-handler';

const UNKNOWN_VERB = clickError(
  400,
  'UnknownVerb',
  'This button is not one the bot knows. Run the command again.',
);

/**
 * The buttons of a remediation card and its pick list: Approve, Reject, Cancel, pick and refresh, one
 * handler each, sharing one context so shutdown can wait for every run and publish they started. The card's
 * data is only an opaque id; state, action and target come from the store, the approval policy decides who
 * may do what, and a conditional write lets exactly one click move a remediation out of `pending`.
 */
export class ApprovalHandler implements CardActionHandler {
  /** One handler per verb, each deciding only its own rule. */
  readonly handlers: readonly CardActionHandler[];
  readonly verbs: readonly Verb[];
  private readonly byVerb: ReadonlyMap<string, CardActionHandler>;
  private readonly ctx: ApprovalContext;

  constructor(deps: ApprovalDeps) {
    this.ctx = new ApprovalContext(deps);
    this.handlers = [
      new ApproveHandler(this.ctx),
      new RejectHandler(this.ctx),
      new CancelHandler(this.ctx),
      new PickHandler(this.ctx),
      new RefreshHandler(this.ctx),
    ];
    this.verbs = this.handlers.flatMap((h) => h.verbs);
    this.byVerb = new Map(this.handlers.flatMap((h) => h.verbs.map((verb) => [verb, h] as const)));
  }

  handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const handler = this.byVerb.get((turn.verb ?? '').toLowerCase());
    return handler ? handler.handle(turn) : Promise.resolve(UNKNOWN_VERB);
  }

  /** Resolves when every remediation started so far has finished and been published. */
  drain(): Promise<void> {
    return this.ctx.drain();
  }
}
