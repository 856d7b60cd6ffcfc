import type { RemediationAction } from '../../domain/actions/action';
import type { BulkItem } from '../../domain/remediation/bulk-target';
import { GraphFailure } from '../../infra/graph/graph-failure';
import { retryAfterMs } from '../../infra/graph/retry-after';
import { explainFailure } from '../remediate/failure-explanation';
import type { ItemState } from './bulk-store';
import { pending, unknownOutcome } from './item-states';
import { answerFailure, type BatchAnswer } from './json-batch';
import { throttleBackoff } from './pacing';

/** What reading an answer needs to know about the run. */
export interface AnswerContext {
  readonly action: RemediationAction;
  readonly approverName: string;
  /** 429/503 answers one item may get before it is reported as failed. */
  readonly maxThrottled: number;
}

/**
 * When Graph ran nothing and asked to wait: a 429 is the tenant's budget, so the whole `run` waits; a 503 is
 * this request's, so only its `items` do.
 */
export interface RetryLater {
  readonly scope: 'run' | 'items';
  readonly waitMs: number;
}

/** One item's answer read: its new state, and when it is to go again, how long to wait. */
export interface ItemVerdict {
  readonly state: ItemState;
  readonly retry?: RetryLater;
}

/**
 * What one item's answer in a batch means: an outcome, or pending again (after its Retry-After, or a backoff
 * when Graph gave none) when Graph throttled it and ran nothing. A 5xx other than 503 does not say whether the
 * write ran: like no answer at all, its outcome is unknown.
 */
export function readItemAnswer(
  context: AnswerContext,
  item: BulkItem,
  throttledBefore: number,
  answer: BatchAnswer,
  now: number,
): ItemVerdict {
  const { action, approverName } = context;
  if (answer.status === 0) return { state: unknownOutcome() };
  if (answer.status >= 200 && answer.status < 300) {
    const meaning = action.interpret(item.target, {
      status: answer.status,
      body: answer.body,
      requestId: answer.requestId,
      date: answer.date,
    });
    return {
      state: {
        s: 'done',
        outcome: meaning.outcome,
        status: answer.status,
        summary: meaning.summary,
        ...(answer.requestId ? { requestId: answer.requestId } : {}),
      },
    };
  }
  const throttled = throttledBefore + 1;
  if ((answer.status === 429 || answer.status === 503) && throttled <= context.maxThrottled) {
    const waitMs = retryAfterMs(answer.headers['retry-after'], now) ?? throttleBackoff(throttled);
    return { state: pending(throttled), retry: { scope: answer.status === 429 ? 'run' : 'items', waitMs } };
  }
  const failure = answerFailure(answer);
  if (answer.status >= 500 && answer.status !== 503) {
    return { state: { s: 'unknown', summary: explainFailure(action, approverName, failure) } };
  }
  return {
    state: {
      s: 'done',
      outcome: 'failed',
      status: failure.status,
      code: failure.code,
      summary: explainFailure(action, approverName, failure),
      ...(failure.requestId ? { requestId: failure.requestId } : {}),
    },
  };
}

/** What a batch that failed as a whole means for all its items. */
export type BatchVerdict =
  /** 401: nothing ran; renew the token and send the items again. */
  | { readonly kind: 'unauthorized' }
  /** 429 or 503: nothing ran; each item waits, one more throttled answer on its count. */
  | { readonly kind: 'throttled'; readonly retry: RetryLater }
  /** Every item ends in this state. */
  | { readonly kind: 'settled'; readonly state: ItemState };

/**
 * What a failed batch means. 401: nothing ran. 429 (every send) or 503 (these items): nothing ran, back off,
 * unless an item was refused too often, which makes it failed. No answer or another 5xx: Graph may have run
 * them, so their outcome is unknown. Any other 4xx: Graph refused the batch, so they failed.
 */
export function readBatchFailure(
  context: AnswerContext,
  err: unknown,
  throttledBefore: readonly number[],
): BatchVerdict {
  const failure = err instanceof GraphFailure ? err : undefined;
  const status = failure?.status ?? 0;
  if (status === 401) return { kind: 'unauthorized' };
  if (
    failure &&
    (status === 429 || status === 503) &&
    throttledBefore.every((t) => t < context.maxThrottled)
  ) {
    const waitMs = throttleBackoff(Math.max(...throttledBefore) + 1);
    return { kind: 'throttled', retry: { scope: status === 429 ? 'run' : 'items', waitMs } };
  }
  if (failure && ((status >= 400 && status < 500) || status === 503)) {
    return {
      kind: 'settled',
      state: {
        s: 'done',
        outcome: 'failed',
        status,
        code: failure.code,
        summary: explainFailure(context.action, context.approverName, failure),
        ...(failure.requestId ? { requestId: failure.requestId } : {}),
      },
    };
  }
  return { kind: 'settled', state: unknownOutcome() };
}
