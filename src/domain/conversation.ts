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

/**
 * Whether a card click comes from the conversation its record was made for. In a channel Teams sends the
 * channel's id plus `;messageid=<the thread's root post>` (channelData.channel.id is the channel alone,
 * learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-actions), and every post
 * at the channel root starts a thread of its own, so a notification addressed to the channel is clicked
 * from `<channel>;messageid=<its id>`. A channel and its threads therefore count as one conversation: they
 * have the same members. Chats and personal conversations have no suffix and compare as they are.
 */
export function sameConversation(
  a: Pick<ConversationAddress, 'conversationId'>,
  b: Pick<ConversationAddress, 'conversationId'>,
): boolean {
  return baseConversationId(a.conversationId) === baseConversationId(b.conversationId);
}

/** Where an activity comes from, for the approval policy's scope (tenants, teams, channels). */
export interface Origin {
  readonly tenantId: string | undefined;
  readonly teamId: string | undefined;
  readonly channelId: string | undefined;
}
