import { z } from 'zod';
import type { CardActionHandler } from '../shared/card-action-router';
import type { CardActionResponse, CardActionTurn } from '../shared/turns';
import { VERBS } from '../shared/verbs';
import { answerDiagnose, type DiagnoseDeps } from './diagnose-answer';

const pickData = z.object({
  kind: z.enum(['user', 'policy', 'request', 'app']),
  id: z.string().min(1).max(200),
});

/**
 * A pick from the list a diagnose shows when its target named several objects: diagnoses the one chosen, by
 * its kind and id, as if the clicker had typed it, policy check included. It reads only, so the list keeps
 * nothing and any number of clicks may pick.
 */
export function diagnosePicker(deps: DiagnoseDeps): CardActionHandler {
  return {
    verbs: [VERBS.diagnose],
    async handle(turn: CardActionTurn): Promise<CardActionResponse> {
      const data = pickData.safeParse(turn.data);
      if (!data.success) {
        return {
          kind: 'error',
          status: 400,
          code: 'BadCardData',
          message: 'This choice is not valid. Run diagnose again.',
        };
      }
      const answer = await answerDiagnose(deps, {
        query: data.data.id,
        kind: data.data.kind,
        userId: turn.from.aadObjectId,
        address: turn.address,
        correlationId: turn.correlationId,
      });
      return { kind: 'card', card: answer.card };
    },
  };
}
