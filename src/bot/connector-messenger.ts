import { CardFactory, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { AdaptiveCardJson } from '../cards/render';
import type { ConversationAddress, Messenger } from '../chat/chat-types';
import { DeliveryError, parseRetryAfter } from '../notifications/delivery';
import type { ProactiveChannel } from '../notifications/sender';

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
export class ConnectorMessenger implements Messenger, ProactiveChannel {
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
    return this.post(address, card, summary, false);
  }

  /**
   * Posts a notification card with the SDK's own retries turned off, so the notification sender alone paces
   * and retries; a refusal surfaces as a DeliveryError carrying the HTTP status and Retry-After (instead of
   * going to the adapter's onTurnError, which would swallow it).
   */
  async sendProactive(address: ConversationAddress, card: AdaptiveCardJson, summary: string) {
    try {
      return await this.post(address, card, summary, true);
    } catch (err) {
      throw toDeliveryError(err);
    }
  }

  private async post(
    address: ConversationAddress,
    card: AdaptiveCardJson,
    summary: string,
    proactive: boolean,
  ) {
    let id: string | undefined;
    let refusal: { error: unknown } | undefined;
    await this.adapter.continueConversationAsync(this.botAppId, referenceOf(address), async (context) => {
      const connector = context.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
      if (proactive) withoutSdkRetries(connector);
      const activity: Partial<Activity> = {
        type: 'message',
        summary,
        attachments: [CardFactory.adaptiveCard(card)],
        from: { id: address.botId, name: address.botName ?? '' },
        conversation: referenceOf(address).conversation,
        channelId: address.channelId,
        serviceUrl: address.serviceUrl,
      };
      try {
        const sent = await connector.conversations.sendToConversation(
          address.conversationId,
          activity as Activity,
        );
        id = sent.id;
      } catch (error) {
        if (!proactive) throw error;
        refusal = { error };
      }
    });
    if (refusal) throw refusal.error;
    return id;
  }
}

interface PipelineHolder {
  client?: { pipeline?: { removePolicy(options: { name: string }): unknown } };
}

/** Removes @azure/core-rest-pipeline's retry policy from this (per-call) connector client. */
function withoutSdkRetries(connector: ConnectorClient): void {
  (connector as unknown as PipelineHolder).client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}

interface RestErrorShape {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  response?: { headers?: { get?(name: string): string | null | undefined }; bodyAsText?: string | null };
}

/** The connector's refusal as the domain sees it: status, Teams' error code and Retry-After. */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const e = (err ?? {}) as RestErrorShape;
  const status = typeof e.statusCode === 'number' ? e.statusCode : 0;
  let code = typeof e.code === 'string' && e.code ? e.code : status ? `HTTP${status}` : 'NetworkError';
  try {
    const body = JSON.parse(e.response?.bodyAsText ?? '') as { error?: { code?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
  } catch {
    // Not every refusal has a JSON body; the status is enough.
  }
  const message = typeof e.message === 'string' ? e.message : String(err);
  return new DeliveryError(
    status,
    code,
    message,
    parseRetryAfter(e.response?.headers?.get?.('retry-after'), Date.now()),
  );
}
