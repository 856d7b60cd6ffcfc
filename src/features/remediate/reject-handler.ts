import { z } from 'zod';
import { recordActor, reject } from '../../domain/remediation/remediation';
import { VERBS } from '../shared/verbs';
import type { CardActionHandler } from '../shared/card-action-router';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import type { ApprovalContext } from './approval-context';
import { closePending } from './close-pending';
import { decidedBy } from './outcome-notice';

const rejectData = z
  .object({ rid: z.string().max(64), reason: z.string().max(500).optional() })
  .passthrough();

/**
 * Reject: someone the policy lets approve turns a pending remediation down, with an optional reason that
 * goes to the trail; the thread gets a reply so the requester hears of it.
 */
export class RejectHandler implements CardActionHandler {
  readonly verbs = [VERBS.reject];

  constructor(private readonly ctx: ApprovalContext) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const { ctx } = this;
    const loaded = await ctx.loadPending(turn);
    if ('kind' in loaded) return loaded;
    const may = await ctx.deps.governance.authorizer.canApprove(
      loaded.action,
      turn.from.aadObjectId,
      loaded.requestedBy.aadObjectId,
      'reject',
    );
    if (!may.allowed) return ctx.refuse(loaded, turn, may.rule, may.message);
    const reason = rejectData.safeParse(turn.data).data?.reason?.trim() || undefined;
    const by = recordActor(turn.from);
    return closePending(
      ctx,
      turn,
      loaded.id,
      by,
      (r) => decidedBy(reject(r, by, reason, new Date(ctx.deps.clock.now())), turn),
      'rejected',
      { reply: true, ...(reason ? { detail: reason } : {}) },
    );
  }
}
