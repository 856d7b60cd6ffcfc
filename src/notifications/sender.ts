import type { AdaptiveCardJson } from '../cards/render';
import { InFlight } from '../in-flight';
import { baseConversationId, type ConversationAddress } from '../chat/chat-types';
import type { Logger } from '../logger';
import { retryDelivery, type BackoffOptions, type DeliveryError } from './delivery';
import { Pacer } from './pacer';
import type { Scheduler } from './scheduler';

/**
 * Posts a card to a conversation outside any turn. Implemented by the bot layer; it does not retry and
 * reports refusals as DeliveryError, so pacing and retries live in one place (the sender below).
 */
export interface ProactiveChannel {
  sendProactive(
    address: ConversationAddress,
    card: AdaptiveCardJson,
    summary: string,
  ): Promise<string | undefined>;
}

/** How one send ended. */
export type SendResult =
  | { readonly outcome: 'sent'; readonly activityId: string | undefined; readonly attempts: number }
  | { readonly outcome: 'dropped'; readonly status: number; readonly attempts: number }
  | {
      readonly outcome: 'failed';
      readonly status: number;
      readonly code: string;
      readonly attempts: number;
    };

/** What the sender needs; everything time-related is injected. */
export interface SenderDeps {
  readonly channel: ProactiveChannel;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  /** Called once when Teams says the conversation is gone (403/404): forget its reference. */
  readonly onGone: (address: ConversationAddress, error: DeliveryError) => Promise<void>;
  readonly random?: () => number;
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /** The longest Retry-After honoured in-line; a longer one leaves the send for the next cycle. */
  readonly maxRetryAfterMs?: number;
  readonly pacer?: Pacer;
}

/**
 * Sends notification cards inside Teams' limits: one queue per conversation (order kept, ~7/s), a shared
 * tenant pace (~50/s), retries of 429/412/502/504 with exponential backoff and jitter honouring
 * Retry-After, and a conversation answered 403/404 dropped instead of retried.
 */
export class NotificationSender {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly gone = new Set<string>();
  private readonly pending = new InFlight();
  private readonly pacer: Pacer;

  constructor(private readonly deps: SenderDeps) {
    this.pacer = deps.pacer ?? new Pacer(deps.scheduler);
  }

  /** Queues a card for a conversation; resolves when it was sent, dropped or given up on. */
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
        this.gone.delete(key);
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
    const outcome = await retryDelivery(
      async () => {
        await this.pacer.acquire(key, address.tenantId ?? '');
        return this.deps.channel.sendProactive(address, card, summary);
      },
      {
        sleep: (ms) => this.deps.scheduler.sleep(ms),
        ...(this.deps.random ? { random: this.deps.random } : {}),
        ...(this.deps.maxAttempts ? { maxAttempts: this.deps.maxAttempts } : {}),
        ...(this.deps.backoff ? { backoff: this.deps.backoff } : {}),
        ...(this.deps.maxRetryAfterMs ? { maxRetryAfterMs: this.deps.maxRetryAfterMs } : {}),
      },
      {
        shouldStop: () => this.gone.has(key),
        onRetry: ({ attempt, delayMs, error }) =>
          log.info(
            { status: error.status, retryAfterMs: error.retryAfterMs, delayMs, attempt },
            'notification send throttled or failed transiently; retrying',
          ),
      },
    );
    if (outcome.ok) return { outcome: 'sent', activityId: outcome.value, attempts: outcome.attempts };
    const failure = outcome.error;
    if (outcome.stopped) return { outcome: 'dropped', status: 0, attempts: outcome.attempts };
    if (outcome.verdict === 'drop') {
      this.gone.add(key);
      log.warn(
        { status: failure.status, code: failure.code },
        'conversation reference dropped: Teams says the bot is no longer in this conversation',
      );
      await this.deps.onGone(address, failure);
      return { outcome: 'dropped', status: failure.status, attempts: outcome.attempts };
    }
    log.error(
      { status: failure.status, code: failure.code, attempts: outcome.attempts, err: failure.message },
      'notification not delivered; it will be tried again next cycle',
    );
    return { outcome: 'failed', status: failure.status, code: failure.code, attempts: outcome.attempts };
  }
}
