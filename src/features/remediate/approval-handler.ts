import type { CardActionGroup, CardActionHandler } from '../shared/card-action-router';
import { ApprovalContext } from './approval-context';
import type { ApprovalDeps } from './approval-deps';
import { ApproveHandler } from './approve-handler';
import { CancelHandler } from './cancel-handler';
import { PickHandler } from './pick-handler';
import { RefreshHandler } from './refresh-handler';
import { RejectHandler } from './reject-handler';

/**
 * The buttons of a remediation card and its pick list: Approve, Reject, Cancel, pick and refresh, one
 * handler each, registered with the router together so the router alone decides the verb. They share one
 * context so shutdown can wait for every run and publish they started. The card's data is only an opaque
 * id; state, action and target come from the store, the approval policy decides who may do what, and a
 * conditional write lets exactly one click move a remediation out of `pending`.
 */
export class ApprovalHandler implements CardActionGroup {
  readonly handlers: readonly CardActionHandler[];
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
  }

  /** Resolves when every remediation started so far has finished and been published. */
  drain(): Promise<void> {
    return this.ctx.drain();
  }
}
