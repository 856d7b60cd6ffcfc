import { CardFactory, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { AdaptiveCardJson } from '../cards/render';
import type { ConversationAddress, Messenger } from '../chat/chat-types';

/** Rebuilds a Bot Framework conversation reference from the stored address. */
export function referenceOf(address: ConversationAddress): Partial<ConversationReference> {
  return {
    channelId: address.channelId,
    serviceUrl: address.serviceUrl,
    bot: { id: address.botId, name: address.botName ?? '' },
    conversation: {
      id: address.conversationId,
      conversationType: address.conversationType ?? '',
      tenantId: address.tenantId,
      isGroup: address.conversationType !== 'personal',
      name: '',
    },
  };
}

/**
 * Sends and updates cards outside a turn through the Bot Connector (continueConversation). A result is
 * posted to the thread's conversation, not as a reply to the continuation's synthetic activity id.
 */
export class ConnectorMessenger implements Messenger {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
  ) {}

  async updateCard(
    address: ConversationAddress,
    activityId: string,
    card: AdaptiveCardJson,
    summary: string,
  ) {
    await this.adapter.continueConversationAsync(this.botAppId, referenceOf(address), async (context) => {
      await context.updateActivity({
        id: activityId,
        type: 'message',
        summary,
        attachments: [CardFactory.adaptiveCard(card)],
      });
    });
  }

  async postCard(address: ConversationAddress, card: AdaptiveCardJson, summary: string) {
    let id: string | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, referenceOf(address), async (context) => {
      const connector = context.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
      const activity: Partial<Activity> = {
        type: 'message',
        summary,
        attachments: [CardFactory.adaptiveCard(card)],
        from: { id: address.botId, name: address.botName ?? '' },
        conversation: referenceOf(address).conversation,
        channelId: address.channelId,
        serviceUrl: address.serviceUrl,
      };
      const sent = await connector.conversations.sendToConversation(
        address.conversationId,
        activity as Activity,
      );
      id = sent.id;
    });
    return id;
  }
}
