/**
 * A proactive send the Bot Connector refused, reduced to what the sender decides on: the HTTP status, the
 * connector's error code and how long Retry-After asks to wait. The bot layer raises it; the domain never
 * sees a Bot Framework type.
 */
export class DeliveryError extends Error {
  constructor(
    /** HTTP status; 0 when the connector could not be reached at all. */
    readonly status: number,
    readonly code: string,
    message: string,
    /** Retry-After in milliseconds, when the connector sent one. */
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Teams' throttling and transient answers: worth another try after a pause. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 412, 502, 504]);

/** The bot was removed or the conversation is gone (ConversationNotFound, BotNotInConversationRoster). */
export const GONE_STATUSES: ReadonlySet<number> = new Set([403, 404]);

/** What to do after a failed attempt. */
export type DeliveryVerdict = 'retry' | 'drop' | 'fail';

/** Decides between retrying, dropping the conversation reference and giving up for this cycle. */
export function verdictFor(status: number): DeliveryVerdict {
  if (RETRYABLE_STATUSES.has(status) || status === 0) return 'retry';
  if (GONE_STATUSES.has(status)) return 'drop';
  return 'fail';
}

/**
 * Reads a Retry-After header: delta-seconds or an HTTP date (RFC 9110). Undefined when absent or
 * unreadable, so the caller falls back to exponential backoff.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = /^[A-Za-z]{3},? /.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Backoff tuning; the defaults suit Teams' per-second limits. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** One second doubling up to a minute. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 60_000 };

/**
 * How long to wait before retry number `retry` (1 for the first retry). Retry-After wins when given, plus up
 * to 10 % jitter so many senders do not come back in the same instant; otherwise exponential backoff with
 * "equal jitter" (half fixed, half random), capped at `maxMs`.
 */
export function backoffDelay(
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  if (retryAfterMs !== undefined) return Math.round(retryAfterMs + random() * retryAfterMs * 0.1);
  const exponential = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}
