import { cancel, recordActor } from '../../domain/remediation/remediation';
import { VERBS } from '../shared/verbs';
import type { CardActionHandler } from '../shared/card-action-router';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import type { ApprovalContext } from './approval-context';
import { closePending } from './close-pending';

/**
 * Cancel: the requester withdraws their own pending remediation (approvers reject instead). The card
 * changes for everyone without a reply in the thread: the one person it concerns just clicked.
 */
export class CancelHandler implements CardActionHandler {
  readonly verbs = [VERBS.cancel];

  constructor(private readonly ctx: ApprovalContext) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const { ctx } = this;
    const loaded = await ctx.loadPending(turn);
    if ('kind' in loaded) return loaded;
    const requester = loaded.requestedBy.aadObjectId;
    if (!requester || requester.toLowerCase() !== (turn.from.aadObjectId ?? '').toLowerCase()) {
      return ctx.refuse(
        loaded,
        turn,
        'cancel: requester only',
        'Only the person who requested this can cancel it; approvers can reject it.',
      );
    }
    const by = recordActor(turn.from);
    return closePending(
      ctx,
      turn,
      loaded.id,
      by,
      (r) => cancel(r, by, new Date(ctx.deps.clock.now())),
      'cancelled',
      { reply: false },
    );
  }
}
