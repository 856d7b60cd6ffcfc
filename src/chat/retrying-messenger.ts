import type { AdaptiveCardJson } from '../cards/render';
import type { Logger } from '../logger';
import { retryDelivery, type DeliveryError, type DeliveryRetryPolicy } from '../notifications/delivery';
import type { ConversationAddress, Messenger } from './chat-types';

/** What the retrying messenger needs besides the raw one. */
export interface RetryingMessengerDeps {
  readonly policy: DeliveryRetryPolicy;
  readonly logger: Logger;
  /** Teams answered 403/404: the bot is no longer in the conversation, so forget its reference. */
  readonly onGone: (address: ConversationAddress, error: DeliveryError) => Promise<void>;
}

/**
 * Remediation cards (the updated approval card, the outcome reply) under the same retry policy as
 * notifications: throttling and transient connector answers are retried with backoff and jitter, a removed
 * conversation drops its reference. A failure that outlasts the retries is thrown for the caller to log.
 */
export class RetryingMessenger implements Messenger {
  constructor(
    private readonly inner: Messenger,
    private readonly deps: RetryingMessengerDeps,
  ) {}

  async updateCard(
    address: ConversationAddress,
    activityId: string,
    card: AdaptiveCardJson,
    summary: string,
  ): Promise<void> {
    await this.run('update', address, () => this.inner.updateCard(address, activityId, card, summary));
  }

  async postCard(
    address: ConversationAddress,
    card: AdaptiveCardJson,
    summary: string,
  ): Promise<string | undefined> {
    return this.run('post', address, () => this.inner.postCard(address, card, summary));
  }

  private async run<T>(what: string, address: ConversationAddress, attempt: () => Promise<T>): Promise<T> {
    const log = this.deps.logger.child({ conversationId: address.conversationId, send: what });
    const outcome = await retryDelivery(attempt, this.deps.policy, {
      onRetry: ({ attempt: n, delayMs, error }) =>
        log.info(
          { status: error.status, retryAfterMs: error.retryAfterMs, delayMs, attempt: n },
          'card send throttled or failed transiently; retrying',
        ),
    });
    if (outcome.ok) return outcome.value;
    if (outcome.verdict === 'drop') {
      log.warn(
        { status: outcome.error.status, code: outcome.error.code },
        'conversation reference dropped: Teams says the bot is no longer in this conversation',
      );
      await this.deps.onGone(address, outcome.error);
    }
    throw outcome.error;
  }
}
