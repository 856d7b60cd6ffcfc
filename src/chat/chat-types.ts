import type { AdaptiveCardJson } from '../cards/render';

/** A person in Teams: the Teams user id, and the Entra object id that Graph and tokens use. */
export interface Actor {
  readonly id: string;
  readonly aadObjectId: string | undefined;
  readonly name: string;
}

/**
 * Where to send later messages: captured from the incoming activity by the bot layer and stored as
 * plain JSON, so the domain can address a conversation without knowing the Bot Framework.
 */
export interface ConversationAddress {
  readonly serviceUrl: string;
  readonly channelId: string;
  /** The thread's conversation id (a channel thread carries `;messageid=`). */
  readonly conversationId: string;
  readonly conversationType: string | undefined;
  readonly tenantId: string | undefined;
  readonly botId: string;
  readonly botName: string | undefined;
  /** The team a channel conversation belongs to, so removing the bot from a team forgets all its channels. */
  readonly teamId?: string | undefined;
}

/** The conversation a thread belongs to: a channel thread and its root message share one. */
export function baseConversationId(conversationId: string): string {
  return conversationId.split(';')[0] ?? conversationId;
}

/** Where an activity comes from, for the approval policy's scope (tenants, teams, channels). */
export interface Origin {
  readonly tenantId: string | undefined;
  readonly teamId: string | undefined;
  readonly channelId: string | undefined;
}

/** An incoming @mention, already stripped of Bot Framework types. */
export interface CommandTurn {
  readonly rawText: string;
  readonly mentions: readonly {
    readonly text: string;
    readonly mentionedId: string;
    readonly mentionedName: string;
  }[];
  readonly botId: string;
  readonly from: Actor;
  readonly address: ConversationAddress;
  readonly origin: Origin;
  readonly correlationId: string;
}

/** A card click (adaptiveCard/action), already stripped of Bot Framework types. */
export interface CardActionTurn {
  readonly verb: string | undefined;
  readonly data: unknown;
  readonly ssoToken: string | undefined;
  readonly from: Actor;
  readonly address: ConversationAddress;
  /** The id of the message that holds the clicked card. */
  readonly cardActivityId: string | undefined;
  readonly origin: Origin;
  readonly correlationId: string;
}

/** How to answer a card click; the bot layer turns it into the Universal Actions invoke response. */
export type CardActionResponse =
  | { readonly kind: 'card'; readonly card: AdaptiveCardJson }
  | { readonly kind: 'loginRequest'; readonly text: string }
  | {
      readonly kind: 'error';
      readonly status: 400 | 403 | 404 | 500;
      readonly code: string;
      readonly message: string;
    };

/** Sends replies during a turn; resolves the id of the message it created. */
export interface ReplySink {
  sendCard(card: AdaptiveCardJson, summary: string): Promise<string | undefined>;
  /**
   * Replaces a card this turn sent, e.g. when what it offers could not be saved after all; works after the
   * turn has answered Teams, since the records behind a card are written after it.
   */
  replaceCard(activityId: string, card: AdaptiveCardJson, summary: string): Promise<void>;
  /**
   * Settles once the turn's answer has gone back to Teams, whatever it was. Work the answer need not wait
   * for (writing a sent card's records) starts then, so it does not hold up the answer on a busy thread.
   */
  readonly answered: Promise<void>;
}

/** Sends and updates messages outside a turn, e.g. when a remediation finishes after its invoke returned. */
export interface Messenger {
  updateCard(
    address: ConversationAddress,
    activityId: string,
    card: AdaptiveCardJson,
    summary: string,
  ): Promise<void>;
  postCard(
    address: ConversationAddress,
    card: AdaptiveCardJson,
    summary: string,
  ): Promise<string | undefined>;
}
