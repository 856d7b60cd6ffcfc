import { CardFactory, type Activity, type CloudAdapter, type ConversationReference } from 'botbuilder';
import type { ConnectorClient } from 'botframework-connector';
import type { AdaptiveCardJson } from '../features/cards/render';
import type { Messenger, ThreadNotice } from '../features/shared/turns';
import type { ConversationAddress } from '../domain/conversation';
import { slotOf, type SendLimiter, type SendPriority } from './send-limiter';
import { retryAfterMs } from '../infra/graph/retry-after';
import { DeliveryError } from '../features/shared/delivery';
import type { ProactiveChannel } from '../features/notify/sender';

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
 * posted to the thread's conversation, not as a reply to the continuation's synthetic activity id. Every
 * request goes through the bot's one send limiter, so it stays inside Teams' rate limits; notifications
 * yield to cards people are waiting for.
 *
 * Every call runs with the SDK's own retries turned off and surfaces a refusal as a DeliveryError carrying
 * the HTTP status and Retry-After (instead of going to the adapter's onTurnError, which would swallow it),
 * so the domain's one retry policy (retryDelivery) paces and retries notifications and remediation cards.
 */
export class ConnectorMessenger implements Messenger, ProactiveChannel {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly botAppId: string,
    private readonly limiter: SendLimiter,
  ) {}

  async updateCard(
    address: ConversationAddress,
    activityId: string,
    card: AdaptiveCardJson,
    summary: string,
  ): Promise<void> {
    await this.call(address, 'interactive', (connector) =>
      connector.conversations.updateActivity(address.conversationId, activityId, {
        ...this.activity(address, card, summary),
        id: activityId,
      } as Activity),
    );
  }

  async postCard(address: ConversationAddress, card: AdaptiveCardJson, summary: string) {
    return this.post(address, card, summary, 'interactive');
  }

  /**
   * A text message with @mentions as Teams documents them (learn.microsoft.com/microsoftteams/platform/bots/
   * how-to/conversations/channel-and-group-conversations#add-mentions-to-your-messages): the text carries
   * `<at>Name</at>` and each `mention` entity repeats that exact text with the person's Teams id.
   */
  async postNotice(address: ConversationAddress, notice: ThreadNotice) {
    const entities = notice.mentions.map((m) => ({
      type: 'mention',
      text: `<at>${escapeXml(m.name)}</at>`,
      mentioned: { id: m.id, name: m.name },
    }));
    const text = [...entities.map((e) => e.text), notice.text].join(' ');
    const sent = await this.call(address, 'interactive', (connector) =>
      connector.conversations.sendToConversation(address.conversationId, {
        ...this.envelope(address),
        text,
        entities,
      } as Activity),
    );
    return sent.id;
  }

  /** A notification card: same path as postCard, behind the cards people are waiting for. */
  async sendProactive(address: ConversationAddress, card: AdaptiveCardJson, summary: string) {
    return this.post(address, card, summary, 'background');
  }

  private async post(
    address: ConversationAddress,
    card: AdaptiveCardJson,
    summary: string,
    priority: SendPriority,
  ) {
    const sent = await this.call(address, priority, (connector) =>
      connector.conversations.sendToConversation(
        address.conversationId,
        this.activity(address, card, summary) as Activity,
      ),
    );
    return sent.id;
  }

  private activity(address: ConversationAddress, card: AdaptiveCardJson, summary: string): Partial<Activity> {
    return { ...this.envelope(address), summary, attachments: [CardFactory.adaptiveCard(card)] };
  }

  private envelope(address: ConversationAddress): Partial<Activity> {
    return {
      type: 'message',
      from: { id: address.botId, name: address.botName ?? '' },
      conversation: referenceOf(address).conversation,
      channelId: address.channelId,
      serviceUrl: address.serviceUrl,
    };
  }

  private call<T>(
    address: ConversationAddress,
    priority: SendPriority,
    send: (connector: ConnectorClient) => Promise<T>,
  ): Promise<T> {
    return this.limiter.schedule(slotOf(address, priority), () => this.continueWith(address, send));
  }

  private async continueWith<T>(
    address: ConversationAddress,
    send: (connector: ConnectorClient) => Promise<T>,
  ) {
    let result: { value: T } | undefined;
    let refusal: { error: unknown } | undefined;
    try {
      await this.adapter.continueConversationAsync(this.botAppId, referenceOf(address), async (context) => {
        const connector = context.turnState.get<ConnectorClient>(this.adapter.ConnectorClientKey);
        withoutSdkRetries(connector);
        try {
          result = { value: await send(connector) };
        } catch (error) {
          refusal = { error };
        }
      });
    } catch (error) {
      // The continuation itself failed (e.g. no token for the connector): as unreachable as a refusal.
      refusal = { error };
    }
    if (refusal) throw toDeliveryError(refusal.error);
    if (!result) throw toDeliveryError(new Error('the connector call did not run'));
    return result.value;
  }
}

/** A display name inside an `<at>` tag: `&`, `<` and `>` would otherwise break the message's markup. */
function escapeXml(name: string): string {
  return name.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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
    retryAfterMs(e.response?.headers?.get?.('retry-after'), Date.now()),
  );
}
