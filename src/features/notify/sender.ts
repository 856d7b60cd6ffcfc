import type { AdaptiveCardJson } from '../cards/render';
import { InFlight } from '../../infra/in-flight';
import { baseConversationId, type ConversationAddress } from '../../domain/conversation';
import type { Logger } from '../../infra/logger';
import type { ConversationGate } from '../shared/delivery';
import { retryDelivery, type BackoffOptions } from '../shared/delivery';
import type { Clock } from '../../infra/clock';

/**
 * Posts a card to a conversation outside any turn. Implemented by the bot layer, inside Teams' rate limits;
 * it does not retry and reports refusals as DeliveryError, so retries live in one place (the sender below).
 */
export interface ProactiveChannel {
  sendProactive(
    address: ConversationAddress,
    card: AdaptiveCardJson,
    summary: string,
  ): Promise<string | undefined>;
}

/** How one send ended; `paused` means Teams refuses posts there for now (nothing was lost: try later). */
export type SendResult =
  | { readonly outcome: 'sent'; readonly activityId: string | undefined; readonly attempts: number }
  | { readonly outcome: 'paused'; readonly status: number; readonly attempts: number }
  | { readonly outcome: 'dropped'; readonly status: number; readonly attempts: number }
  | {
      readonly outcome: 'failed';
      readonly status: number;
      readonly code: string;
      readonly attempts: number;
    };

/** What the sender needs; everything time-related is injected. */
export interface SenderDeps {
  /** Limited to Teams' rate limits by the layer that sends (see TeamsSendLimiter). */
  readonly channel: ProactiveChannel;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Paused conversations are held; refusals pause or forget a conversation. */
  readonly gate: ConversationGate;
  readonly random?: () => number;
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /** The longest Retry-After honoured in-line; a longer one leaves the send for the next cycle. */
  readonly maxRetryAfterMs?: number;
}

/**
 * Sends notification cards: one queue per conversation (order kept), retries of 429/412/502/503/504 with
 * exponential backoff and jitter honouring Retry-After, nothing sent to a paused conversation, and a
 * refusal that pauses or ends the conversation skipping what is queued behind it. Rate limits are held by
 * the channel, which every send of the bot goes through.
 */
export class NotificationSender {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly stopped = new Map<string, 'paused' | 'dropped'>();
  private readonly pending = new InFlight();

  constructor(private readonly deps: SenderDeps) {}

  /** Queues a card for a conversation; resolves when it was sent, held, dropped or given up on. */
  send(address: ConversationAddress, card: AdaptiveCardJson, summary: string): Promise<SendResult> {
    const key = baseConversationId(address.conversationId);
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.deliver(key, address, card, summary));
    const tail: Promise<unknown> = run.catch(() => undefined);
    this.queues.set(key, tail);
    this.pending.track(tail);
    void tail.finally(() => {
      if (this.queues.get(key) === tail) {
        this.queues.delete(key);
        this.stopped.delete(key);
      }
    });
    return run;
  }

  /** Resolves when every queued send has ended; used on shutdown. */
  async drain(): Promise<void> {
    await this.pending.drain();
  }

  private async deliver(
    key: string,
    address: ConversationAddress,
    card: AdaptiveCardJson,
    summary: string,
  ): Promise<SendResult> {
    const log = this.deps.logger.child({ conversationId: key });
    const earlier = this.stopped.get(key);
    if (earlier) return { outcome: earlier, status: 0, attempts: 0 };
    const permission = await this.deps.gate.beforeSend(address);
    if (permission === 'hold') return { outcome: 'paused', status: 0, attempts: 0 };
    const outcome = await retryDelivery(
      () => this.deps.channel.sendProactive(address, card, summary),
      {
        sleep: (ms) => this.deps.clock.sleep(ms),
        ...(this.deps.random ? { random: this.deps.random } : {}),
        ...(this.deps.maxAttempts ? { maxAttempts: this.deps.maxAttempts } : {}),
        ...(this.deps.backoff ? { backoff: this.deps.backoff } : {}),
        ...(this.deps.maxRetryAfterMs ? { maxRetryAfterMs: this.deps.maxRetryAfterMs } : {}),
      },
      {
        onRetry: ({ attempt, delayMs, error }) =>
          log.info(
            { status: error.status, code: error.code, retryAfterMs: error.retryAfterMs, delayMs, attempt },
            'notification send throttled or failed transiently; retrying',
          ),
      },
    );
    if (outcome.ok) {
      if (permission === 'probe') await this.deps.gate.delivered(address);
      return { outcome: 'sent', activityId: outcome.value, attempts: outcome.attempts };
    }
    const failure = outcome.error;
    if (outcome.verdict === 'pause' || outcome.verdict === 'forget') {
      const result = outcome.verdict === 'pause' ? 'paused' : 'dropped';
      this.stopped.set(key, result);
      await this.deps.gate.refused(address, outcome.verdict, failure);
      return { outcome: result, status: failure.status, attempts: outcome.attempts };
    }
    log.error(
      { status: failure.status, code: failure.code, attempts: outcome.attempts, err: failure.message },
      'notification not delivered; it will be tried again next cycle',
    );
    return { outcome: 'failed', status: failure.status, code: failure.code, attempts: outcome.attempts };
  }
}
