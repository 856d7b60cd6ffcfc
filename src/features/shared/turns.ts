import type { AdaptiveCardJson } from '../cards/render';
import type { Actor, ConversationAddress, Origin } from '../../domain/conversation';

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

/**
 * The Bot Framework token service as one card click reaches it, through the Azure Bot's OAuth connection:
 * the sign-in link for the clicker, and the clicker's token once they signed in with it.
 */
export interface TokenService {
  /** The link that opens the OAuth connection's sign-in for this clicker (the loginRequest's button). */
  signInLink(): Promise<string>;
  /**
   * The clicker's token for the magic code Teams sent after they signed in; undefined when the service has
   * none for them (a wrong code, or one that belongs to someone else's sign-in).
   */
  redeem(magicCode: string): Promise<string | undefined>;
}

/** The token service could not be reached or did not answer as documented; `reason` holds no secret. */
export class TokenServiceUnavailable extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenServiceUnavailable';
  }
}

/** A card click (adaptiveCard/action), already stripped of Bot Framework types. */
export interface CardActionTurn {
  readonly verb: string | undefined;
  readonly data: unknown;
  /** value.authentication.token: the SSO token Teams got silently after a loginRequest. */
  readonly ssoToken: string | undefined;
  /** value.state: the magic code of a sign-in the clicker completed through the OAuth connection. */
  readonly magicCode?: string | undefined;
  /** The token service for this click; absent in local mode (BOT_ID empty), which has none. */
  readonly tokenService?: TokenService | undefined;
  readonly from: Actor;
  readonly address: ConversationAddress;
  /** The id of the message that holds the clicked card. */
  readonly cardActivityId: string | undefined;
  readonly origin: Origin;
  readonly correlationId: string;
}

/**
 * How to answer a card click; the bot layer turns it into one of the invoke responses Teams documents.
 * `error` says what kind of failure it is (400 bad card data, 403 refused, 404 unknown, 500 failed); the bot
 * layer picks the documented form for each.
 */
export type CardActionResponse =
  | { readonly kind: 'card'; readonly card: AdaptiveCardJson }
  /** Ask Teams to sign the clicker in; `signInLink` comes from the token service (absent in local mode). */
  | { readonly kind: 'loginRequest'; readonly text: string; readonly signInLink?: string | undefined }
  /** Silent sign-in did not do: Teams shows its sign-in button instead (412 preconditionFailed). */
  | { readonly kind: 'signInRequired'; readonly message: string }
  | {
      readonly kind: 'error';
      readonly status: 400 | 403 | 404 | 500;
      readonly code: string;
      readonly message: string;
    };

/** Sends replies during a turn; resolves the id of the message it created. */
export interface ReplySink {
  sendCard(card: AdaptiveCardJson, summary: string): Promise<string | undefined>;
}

/**
 * A one-line text message for the thread that notifies people: the Teams layer @mentions each of
 * `mentions` (by Teams user id) before `text`. The card stays the full record; this only tells people.
 */
export interface ThreadNotice {
  readonly mentions: readonly { readonly id: string; readonly name: string }[];
  readonly text: string;
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
  postNotice(address: ConversationAddress, notice: ThreadNotice): Promise<string | undefined>;
}
