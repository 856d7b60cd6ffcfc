import type { CardActionResponse, CardActionTurn } from './turns';
import type { Verb } from './verbs';

/** Handles the card buttons whose verbs it names. */
export interface CardActionHandler {
  readonly verbs: readonly Verb[];
  handle(turn: CardActionTurn): Promise<CardActionResponse>;
}

/** Handlers registered together because they share state, e.g. the buttons of one card and their work in flight. */
export interface CardActionGroup {
  readonly handlers: readonly CardActionHandler[];
}

/** Sends each card click to the handler that owns its verb, so features add buttons without touching the bot layer. */
export class CardActionRouter {
  private readonly byVerb = new Map<string, CardActionHandler>();

  constructor(
    handlers: readonly (CardActionHandler | CardActionGroup)[],
    private readonly inScope: (turn: CardActionTurn) => boolean = () => true,
  ) {
    for (const handler of handlers.flatMap((h) => ('handlers' in h ? h.handlers : [h]))) {
      for (const verb of handler.verbs) {
        if (this.byVerb.has(verb)) throw new Error(`Card verb "${verb}" is handled twice`);
        this.byVerb.set(verb, handler);
      }
    }
  }

  handle(turn: CardActionTurn): Promise<CardActionResponse> {
    if (!this.inScope(turn)) {
      return Promise.resolve({
        kind: 'error',
        status: 403,
        code: 'OutOfScope',
        message: 'The approval policy does not let this bot act in this team or channel.',
      });
    }
    const handler = this.byVerb.get((turn.verb ?? '').toLowerCase());
    if (!handler) {
      return Promise.resolve({
        kind: 'error',
        status: 400,
        code: 'UnknownVerb',
        message: 'This button is not one the bot knows. Run the command again.',
      });
    }
    return handler.handle(turn);
  }
}
