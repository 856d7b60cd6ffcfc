import { z } from 'zod';
import type { AdaptiveCardJson } from '../cards/render';
import { MAX_COMMAND_LENGTH } from '../commands/command-parser';
import type { CardActionHandler } from '../shared/card-action-router';
import type { CardActionResponse, CardActionTurn, CommandTurn, ReplySink } from '../shared/turns';
import { VERBS } from '../shared/verbs';
import type { CommandHandler } from './command-handler';

const suggestionData = z.object({ command: z.string().min(1).max(MAX_COMMAND_LENGTH) }).passthrough();

/**
 * The button under "Did you mean …?": runs the suggested command as if the clicker had typed it, through the
 * same command handler (parser, policy, look-up, confirmation), and answers with the card that command
 * gives, in place of the card that offered it. The button carries only text a person could have typed.
 */
export class SuggestionHandler implements CardActionHandler {
  readonly verbs = [VERBS.runSuggestion];

  constructor(private readonly commands: Pick<CommandHandler, 'handle'>) {}

  async handle(turn: CardActionTurn): Promise<CardActionResponse> {
    const data = suggestionData.safeParse(turn.data);
    if (!data.success) {
      return {
        kind: 'error',
        status: 400,
        code: 'BadCardData',
        message: 'This button does not carry a command. Type the command instead.',
      };
    }
    const typed: CommandTurn = {
      rawText: data.data.command,
      mentions: [],
      botId: turn.address.botId,
      from: turn.from,
      address: turn.address,
      origin: turn.origin,
      correlationId: turn.correlationId,
    };
    let answer: AdaptiveCardJson | undefined;
    const sink: ReplySink = {
      // The command's card replaces the clicked one, so that message is where its card now lives.
      sendCard: async (card) => {
        answer ??= card;
        return turn.cardActivityId;
      },
    };
    await this.commands.handle(typed, sink);
    if (!answer) {
      return {
        kind: 'error',
        status: 500,
        code: 'NotAnswered',
        message: 'The command gave no answer. Type it after an @mention of the bot instead.',
      };
    }
    return { kind: 'card', card: answer };
  }
}
