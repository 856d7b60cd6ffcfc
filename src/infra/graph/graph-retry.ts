import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { retryAfterMs } from './retry-after';

/** How Graph calls wait, retry and give up; injected so tests run backoff without real delays. */
export interface GraphRetrySettings {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  /** Abort one attempt after this long; a write that times out has an unknown outcome and is not retried. */
  readonly timeoutMs: number;
  /** First backoff step when Graph sends no Retry-After; doubles per retry, with jitter. */
  readonly baseDelayMs: number;
  /** A Retry-After longer than this is not waited for in-line: the call fails and says so. */
  readonly maxRetryAfterMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** The clock an HTTP-date Retry-After is read against. */
  readonly now: () => number;
  readonly random: () => number;
}

/** Production defaults: Graph's guidance is to honour Retry-After, otherwise back off exponentially. */
export const DEFAULT_GRAPH_RETRY: GraphRetrySettings = {
  maxRetries: 3,
  timeoutMs: 30_000,
  baseDelayMs: 1000,
  maxRetryAfterMs: 60_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  now: () => Date.now(),
  random: Math.random,
};

/** Raised when one attempt outlived `timeoutMs`; toGraphFailure turns it into a `Timeout` failure. */
export class GraphTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`Microsoft Graph did not answer within ${Math.round(timeoutMs / 1000)} s`);
    this.name = 'GraphTimeoutError';
  }
}

/**
 * Raised when Graph could not be reached or the connection broke, with the system's reason (fetch says only
 * "fetch failed" and keeps it in its cause) and code (ECONNREFUSED, ECONNRESET…).
 */
export class GraphNetworkError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'GraphNetworkError';
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);
/** Answers after which a read is worth repeating (a read has no side effect). */
const READ_RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);
/** Answers Graph gives before it has processed anything: the only ones after which a write may be repeated. */
const WRITE_RETRY_STATUSES = new Set([429, 503]);
/** Statuses whose response has no body (the Response constructor refuses one for them). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * The decision, separate from the plumbing so it can be tested alone: whether attempt `attempt` (1-based)
 * that ended with `status` (0: no answer; the network failed or the attempt timed out) may be repeated.
 * A write is repeated only after 429/503 (nothing ran) or a refused connection (nothing was sent).
 */
export function mayRetry(method: string, status: number, networkCode: string | undefined): boolean {
  if (READ_METHODS.has(method.toUpperCase())) return status === 0 || READ_RETRY_STATUSES.has(status);
  if (status === 0) return networkCode === 'ECONNREFUSED';
  return WRITE_RETRY_STATUSES.has(status);
}

/** Backoff before retry `retry` (1-based): Retry-After when given, else equal-jitter exponential. */
export function graphBackoff(
  retry: number,
  retryAfter: number | undefined,
  settings: GraphRetrySettings,
): number {
  if (retryAfter !== undefined) return retryAfter;
  const step = settings.baseDelayMs * 2 ** (retry - 1);
  return Math.round(step / 2 + (settings.random() * step) / 2);
}

function methodOf(context: Context): string {
  const fromOptions = context.options?.method;
  if (fromOptions) return fromOptions.toUpperCase();
  return typeof context.request === 'object' && 'method' in context.request
    ? context.request.method.toUpperCase()
    : 'GET';
}

/** fetch puts the system error code (ECONNREFUSED, ECONNRESET…) on its error's cause. */
function networkCodeOf(err: unknown): string | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | undefined;
  if (typeof e?.code === 'string') return e.code;
  return typeof e?.cause?.code === 'string' ? e.cause.code : undefined;
}

/** fetch's "fetch failed" as a GraphNetworkError (read by shape: fetch's errors come from another realm in jest). */
function networkFailure(err: unknown): unknown {
  const e = err as { name?: unknown; cause?: { message?: unknown } } | undefined;
  const reason = e?.cause?.message;
  if (e?.name !== 'TypeError' || typeof reason !== 'string' || reason === '') return err;
  return new GraphNetworkError(reason, networkCodeOf(err));
}

/**
 * The response with its body read into memory, so the attempt's timeout covers a body that stalls after the
 * headers (fetch resolves at the headers) and the Graph client reads it afterwards without waiting.
 */
async function buffered(response: Response): Promise<Response> {
  const body = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
  const { status, statusText, headers } = response;
  return new Response(body, { status, statusText, headers });
}

/**
 * Graph client middleware in place of the SDK's RetryHandler, which neither times out nor retries reads on
 * 500/502 or a reset connection. Each attempt is aborted after `timeoutMs` (its body included); reads retry on
 * 429/5xx and network failures; writes only where Graph cannot have run them, so a remediation never runs twice.
 */
export class GraphRetryHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly settings: GraphRetrySettings) {}

  setNext(next: Middleware): void {
    this.next = next;
  }

  async execute(context: Context): Promise<void> {
    const next = this.next;
    if (!next) throw new Error('GraphRetryHandler has no next middleware');
    const method = methodOf(context);
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(this.settings.timeoutMs);
      context.options = { ...context.options, signal };
      context.response = undefined;
      let response: Response | undefined;
      let failure: unknown;
      try {
        await next.execute(context);
        const answered = (context as { response?: Response }).response;
        response = answered && (await buffered(answered));
        context.response = response;
      } catch (err) {
        failure = signal.aborted ? new GraphTimeoutError(this.settings.timeoutMs) : networkFailure(err);
      }
      const status = response?.status ?? 0;
      const netCode = failure instanceof GraphTimeoutError ? 'TIMEOUT' : networkCodeOf(failure);
      const retryable =
        (failure !== undefined || status === 429 || status >= 500) &&
        attempt <= this.settings.maxRetries &&
        mayRetry(method, status, netCode);
      const wait =
        retryable && failure === undefined
          ? retryAfterMs(response?.headers.get('retry-after'), this.settings.now())
          : undefined;
      if (!retryable || (wait !== undefined && wait > this.settings.maxRetryAfterMs)) {
        if (failure !== undefined) throw failure;
        return;
      }
      await this.settings.sleep(graphBackoff(attempt, wait, this.settings));
    }
  }
}
