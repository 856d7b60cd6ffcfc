import type { CardView } from '../cards/remediation-cards';
import { VERBS } from '../shared/verbs';
import type { CardActionHandler } from '../shared/card-action-router';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import type { ApprovalContext } from './approval-context';

/**
 * Universal Actions refresh: while a remediation is pending, each viewer gets their own card (only the
 * buttons the policy lets them use); once it has left `pending`, everyone gets the final state.
 */
export class RefreshHandler implements CardActionHandler {
  readonly verbs = [VERBS.refresh];

  constructor(private readonly ctx: ApprovalContext) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const { ctx } = this;
    const loaded = await ctx.loadPending(turn);
    if ('kind' in loaded) return loaded;
    const viewer = turn.from.aadObjectId;
    const may = await ctx.deps.governance.authorizer.canApprove(
      loaded.action,
      viewer,
      loaded.requestedBy.aadObjectId,
    );
    const isRequester =
      viewer !== undefined && loaded.requestedBy.aadObjectId?.toLowerCase() === viewer.toLowerCase();
    const view: CardView = {
      ...ctx.view(loaded),
      viewer: { canApprove: may.allowed, isRequester },
      ...(may.allowed || isRequester ? {} : { notice: 'Waiting for an approver.' }),
    };
    return { kind: 'card', card: await ctx.render(loaded, view) };
  }
}
