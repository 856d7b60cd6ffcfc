import { z } from 'zod';
import { sameConversation } from '../../domain/conversation';
import { newOpaqueId } from '../../domain/remediation/remediation-store';
import { noticeCard } from '../cards/remediation-cards';
import { VERBS } from '../shared/verbs';
import type { CardActionHandler } from '../shared/card-action-router';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import { clickError, FOREIGN_CONVERSATION, UNKNOWN_REQUEST, type ApprovalContext } from './approval-context';

const pickData = z
  .object({ sid: z.string().max(64), pick: z.coerce.number().int().min(0).max(50) })
  .passthrough();

const BAD_CHOICE = clickError(400, 'BadCardData', 'This choice is not valid. Run the command again.');

/**
 * Pick: a name matched several targets, and someone chose one from the list card. The first pick claims the
 * list (a conditional write reserves the remediation id), then the target is resolved as if the requester
 * had named it, giving the usual confirmation card; later picks see what the first one made.
 */
export class PickHandler implements CardActionHandler {
  readonly verbs = [VERBS.pick];

  constructor(private readonly ctx: ApprovalContext) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const { ctx } = this;
    const { store, registry, resolver } = ctx.deps;
    const data = pickData.safeParse(turn.data);
    if (!data.success) return BAD_CHOICE;
    const selection = await store.getSelection(data.data.sid);
    if (!selection) return UNKNOWN_REQUEST;
    if (!sameConversation(selection.address, turn.address)) return FOREIGN_CONVERSATION;
    const candidate = selection.candidates[data.data.pick];
    const action = registry.find(selection.action);
    if (!candidate || !action) return BAD_CHOICE;
    const reserved = newOpaqueId();
    const claim = await store.updateSelection(selection.id, (s) =>
      s.pickedRemediationId ? undefined : { ...s, pickedRemediationId: reserved },
    );
    if (!claim?.changed) {
      const existing = claim?.value.pickedRemediationId
        ? await store.get(claim.value.pickedRemediationId)
        : undefined;
      return existing
        ? ctx.card(existing)
        : {
            kind: 'card',
            card: noticeCard({ title: 'Already chosen', text: 'Someone already picked from this list.' }),
          };
    }
    const resolved = await resolver.resolve(action, candidate.args, {
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
