import type { ConversationAddress } from '../../domain/conversation';
import { errorMessage } from '../../infra/logger';

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

/**
 * Teams' throttling and transient answers, worth another try after a pause: 429, 412, 502 and 504 ("Optimize
 * your bot with rate limiting in Teams"), and 503, which the status-code table of the conversational APIs
 * also marks for retry.
 */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 412, 502, 503, 504]);

/** 403 codes that keep the conversation but forbid posting until someone there talks to the bot again. */
export const PAUSING_CODES: ReadonlySet<string> = new Set([
  'ConversationBlockedByUser',
  'BotDisabledByAdmin',
]);

/**
 * What to do after a failed attempt, decided by Teams' error code rather than its status ("Status codes from
 * bot conversational APIs"): `retry`; `pause` the conversation (403 ConversationBlockedByUser,
 * BotDisabledByAdmin); `forget` it (403 BotNotInConversationRoster: the bot is not in it; 404
 * ConversationNotFound: it is gone); or `fail` this send alone, e.g. 404 ActivityNotFoundInConversation when
 * the card being updated was deleted, or 403 NotEnoughPermissions.
 */
export type DeliveryVerdict = 'retry' | 'pause' | 'forget' | 'fail';

/** Decides from the status and the connector's error code. */
export function verdictFor(error: Pick<DeliveryError, 'status' | 'code'>): DeliveryVerdict {
  if (RETRYABLE_STATUSES.has(error.status) || error.status === 0) return 'retry';
  if (error.status === 403 && PAUSING_CODES.has(error.code)) return 'pause';
  if (error.status === 403 && error.code === 'BotNotInConversationRoster') return 'forget';
  if (error.status === 404 && error.code === 'ConversationNotFound') return 'forget';
  return 'fail';
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

/** Retry tuning shared by every Bot Connector send and update; time is injected. */
export interface DeliveryRetryPolicy {
  readonly sleep: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /** Attempts in all, the first included (default 5). */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffOptions;
  /** The longest Retry-After honoured in-line (default two minutes); a longer one gives up. */
  readonly maxRetryAfterMs?: number;
}

/** How a retried delivery ended; `stopped` means `shouldStop` ended it before an attempt. */
export type DeliveryOutcome<T> =
  | { readonly ok: true; readonly value: T; readonly attempts: number }
  | {
      readonly ok: false;
      readonly verdict: Exclude<DeliveryVerdict, 'retry'>;
      readonly error: DeliveryError;
      readonly attempts: number;
      readonly stopped?: boolean;
    };

/** What a retry is about to do, for the caller's log. */
export interface RetryNotice {
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: DeliveryError;
}

/**
 * The one retry loop for Teams: 429/412/502/503/504 (and an unreachable connector) are retried with
 * exponential backoff and jitter honouring Retry-After; a refusal that pauses or ends the conversation (see
 * verdictFor) ends at once with that verdict for the caller to act on; anything else ends with `fail`. Used
 * by the notification sender and the remediation card publisher alike, so both behave the same.
 */
export async function retryDelivery<T>(
  attempt: (n: number) => Promise<T>,
  policy: DeliveryRetryPolicy,
  hooks: { readonly onRetry?: (notice: RetryNotice) => void; readonly shouldStop?: () => boolean } = {},
): Promise<DeliveryOutcome<T>> {
  const maxAttempts = policy.maxAttempts ?? 5;
  const random = policy.random ?? Math.random;
  for (let n = 1; ; n++) {
    if (hooks.shouldStop?.()) {
      return {
        ok: false,
        verdict: 'fail',
        error: new DeliveryError(0, 'Stopped', 'stopped before the attempt', undefined),
        attempts: n - 1,
        stopped: true,
      };
    }
    try {
      return { ok: true, value: await attempt(n), attempts: n };
    } catch (err) {
      const failure =
        err instanceof DeliveryError
          ? err
          : new DeliveryError(-1, 'Unexpected', errorMessage(err), undefined);
      const verdict = failure.status === -1 ? 'fail' : verdictFor(failure);
      if (verdict === 'pause' || verdict === 'forget')
        return { ok: false, verdict, error: failure, attempts: n };
      const tooLong =
        failure.retryAfterMs !== undefined && failure.retryAfterMs > (policy.maxRetryAfterMs ?? 120_000);
      if (verdict === 'fail' || n >= maxAttempts || tooLong) {
        return { ok: false, verdict: 'fail', error: failure, attempts: n };
      }
      const delayMs = backoffDelay(n, failure.retryAfterMs, random, policy.backoff ?? DEFAULT_BACKOFF);
      hooks.onRetry?.({ attempt: n, delayMs, error: failure });
      await policy.sleep(delayMs);
    }
  }
}

/** Whether a send may go: `probe` is the first send after a pause's back-off, which resumes it if it succeeds. */
export type SendPermission = 'go' | 'probe' | 'hold';

/** What every sender asks before a send and tells after a refusal; kept by the notification feature's conversation status. */
export interface ConversationGate {
  beforeSend(address: ConversationAddress): Promise<SendPermission>;
  /** A `probe` send went through: posting resumes. */
  delivered(address: ConversationAddress): Promise<void>;
  /** Teams refused a send in a way that pauses the conversation or ends it (see verdictFor). */
  refused(address: ConversationAddress, verdict: 'pause' | 'forget', error: DeliveryError): Promise<void>;
}
