import type { GraphRequest } from '../../domain/actions/action';
import type { GraphApi, GraphVersion } from '../../infra/graph/graph-api';
import { failureFromResponse, GraphFailure } from '../../infra/graph/graph-failure';

/** Graph answers at most this many requests per JSON batch. */
export const MAX_BATCH_SIZE = 20;

/** One request of a batch, under the id its response will carry. */
export interface BatchEntry {
  readonly id: string;
  readonly request: GraphRequest;
}

/** One response of a batch, matched to its request by id. */
export interface BatchAnswer {
  readonly id: string;
  /** 0 when the batch's answer left this request out: whether Graph ran it is unknown. */
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** Graph's request-id and date for the item (its own, or the envelope's). */
  readonly requestId: string | undefined;
  readonly date: string | undefined;
}

interface RawResponse {
  readonly id?: unknown;
  readonly status?: unknown;
  readonly headers?: unknown;
  readonly body?: unknown;
}

/**
 * The body of POST /{version}/$batch: relative urls, and every POST with a JSON body and its Content-Type, `{}`
 * for an action that takes none. Graph refuses a write item without them ("Write request id : 1 does not
 * contain Content-Type header or body", see /graph/json-batching), where a direct POST goes without a body.
 */
export function batchBody(entries: readonly BatchEntry[]): { requests: unknown[] } {
  return {
    requests: entries.map(({ id, request }) => ({
      id,
      method: request.method,
      url: request.url,
      headers: { 'Content-Type': 'application/json' },
      body: request.body ?? {},
    })),
  };
}

function lowerKeys(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), String(v)]));
}

/**
 * Sends one JSON batch of at most 20 requests of one Graph version (a beta-only call inside a v1.0 batch
 * fails, so versions are never mixed) and matches the responses to the requests by id, since Graph answers
 * in any order. Throws GraphFailure when the envelope itself fails; per-item errors are answers.
 */
export async function sendBatch(
  graph: GraphApi,
  version: GraphVersion,
  entries: readonly BatchEntry[],
): Promise<BatchAnswer[]> {
  if (entries.length === 0 || entries.length > MAX_BATCH_SIZE) {
    throw new Error(`A JSON batch holds 1 to ${MAX_BATCH_SIZE} requests, not ${entries.length}`);
  }
  if (entries.some((e) => e.request.version !== version)) {
    throw new Error(`A ${version} batch cannot carry a request of another Graph version`);
  }
  const result = await graph.post<{ responses?: RawResponse[] }>('/$batch', batchBody(entries), { version });
  const responses = Array.isArray(result.body?.responses) ? result.body.responses : undefined;
  if (!responses) {
    throw new GraphFailure(
      result.status,
      'InvalidBatchResponse',
      'Microsoft Graph answered the batch without a responses list.',
      result.requestId,
      result.date,
    );
  }
  const byId = new Map<string, RawResponse>();
  for (const r of responses) if (typeof r.id === 'string') byId.set(r.id, r);
  return entries.map(({ id }) => {
    const raw = byId.get(id);
    const headers = lowerKeys(raw?.headers);
    const innerId = (raw?.body as { error?: { innerError?: { 'request-id'?: string } } } | undefined)?.error
      ?.innerError?.['request-id'];
    return {
      id,
      status: typeof raw?.status === 'number' ? raw.status : 0,
      headers,
      body: raw?.body,
      requestId: headers['request-id'] ?? innerId ?? result.requestId,
      date: headers['date'] ?? result.date,
    };
  });
}

/** An item's error answer as a GraphFailure, with Graph's code, message and request-id. */
export function answerFailure(answer: BatchAnswer): GraphFailure {
  const failure = failureFromResponse(answer.status, new Headers(answer.headers), answer.body);
  return new GraphFailure(
    failure.status,
    failure.code,
    failure.message,
    failure.requestId ?? answer.requestId,
    failure.date ?? answer.date,
  );
}
