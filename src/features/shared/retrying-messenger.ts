import type { AdaptiveCardJson } from '../cards/render';
import type { Logger } from '../../infra/logger';
import type { ConversationGate } from './delivery';
import { DeliveryError, retryDelivery, type DeliveryRetryPolicy } from './delivery';
import type { Messenger, ThreadNotice } from './turns';
import type { ConversationAddress } from '../../domain/conversation';

/** What the retrying messenger needs besides the raw one. */
export interface RetryingMessengerDeps {
  readonly policy: DeliveryRetryPolicy;
  readonly logger: Logger;
  /** Paused conversations are held; refusals pause or forget a conversation, by Teams' error code. */
  readonly gate: ConversationGate;
}

/**
 * Remediation and bulk cards (the updated approval card, progress, the outcome reply) under the same retry
 * policy as notifications: throttling and transient connector answers are retried with backoff and jitter;
 * nothing is sent to a paused conversation; a refusal that pauses or ends the conversation is handed to the
 * gate. A 404 for one card (ActivityNotFoundInConversation: the message was deleted) fails that update alone.
 * A failure that outlasts the retries is thrown for the caller to log.
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

  async postNotice(address: ConversationAddress, notice: ThreadNotice): Promise<string | undefined> {
    return this.run('notice', address, () => this.inner.postNotice(address, notice));
  }

  private async run<T>(what: string, address: ConversationAddress, attempt: () => Promise<T>): Promise<T> {
    const log = this.deps.logger.child({ conversationId: address.conversationId, send: what });
    const permission = await this.deps.gate.beforeSend(address);
    if (permission === 'hold') {
      throw new DeliveryError(
        403,
        'ConversationPaused',
        'Teams refuses posts to this conversation for now',
        undefined,
      );
    }
    const outcome = await retryDelivery(attempt, this.deps.policy, {
      onRetry: ({ attempt: n, delayMs, error }) =>
        log.info(
          { status: error.status, code: error.code, retryAfterMs: error.retryAfterMs, delayMs, attempt: n },
          'card send throttled or failed transiently; retrying',
        ),
    });
    if (outcome.ok) {
      if (permission === 'probe') await this.deps.gate.delivered(address);
      return outcome.value;
    }
    if (outcome.verdict !== 'fail') await this.deps.gate.refused(address, outcome.verdict, outcome.error);
    throw outcome.error;
  }
}
