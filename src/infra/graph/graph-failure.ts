/**
 * A Graph call that did not succeed, reduced to what an admin needs on a card and in a support ticket:
 * status, Graph's error code and message, and the request-id and date Microsoft support asks for.
 */
export class GraphFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId: string | undefined,
    readonly date: string | undefined,
  ) {
    super(message);
    this.name = 'GraphFailure';
  }
}

interface GraphErrorBody {
  error?: {
    code?: string;
    message?: string;
    innerError?: { 'request-id'?: string; date?: string };
    innererror?: { 'request-id'?: string; date?: string };
  };
}

/** Builds a GraphFailure from a non-2xx response's status, headers and (possibly empty) body. */
export function failureFromResponse(status: number, headers: Headers, body: unknown): GraphFailure {
  const error = (body as GraphErrorBody | undefined)?.error;
  const inner = error?.innerError ?? error?.innererror;
  return new GraphFailure(
    status,
    error?.code ?? `HTTP${status}`,
    error?.message ?? `Microsoft Graph answered ${status}`,
    inner?.['request-id'] ?? headers.get('request-id') ?? undefined,
    inner?.date ?? headers.get('date') ?? undefined,
  );
}

interface GraphClientErrorShape {
  statusCode?: number;
  code?: string | null;
  message?: string;
  requestId?: string | null;
  date?: Date;
  headers?: Headers;
}

/** Normalises whatever the Graph client or the network threw into a GraphFailure. */
export function toGraphFailure(err: unknown): GraphFailure {
  if (err instanceof GraphFailure) return err;
  const e = (err ?? {}) as GraphClientErrorShape;
  const status = typeof e.statusCode === 'number' ? e.statusCode : -1;
  const requestId = e.requestId ?? e.headers?.get?.('request-id') ?? undefined;
  const date = e.date && !Number.isNaN(e.date.getTime()) ? e.date.toISOString() : undefined;
  if (status <= 0) {
    const base = (err as { body?: unknown; code?: unknown }) ?? {};
    if (base.code === 'GraphTimeoutError' || (err instanceof Error && err.name === 'GraphTimeoutError')) {
      const said = err instanceof Error && err.message ? err.message : String(base.body ?? '');
      return new GraphFailure(0, 'Timeout', said.replace(/^GraphTimeoutError: /, ''), requestId, date);
    }
    const message =
      (err instanceof Error && err.message) || (typeof base.body === 'string' ? base.body : String(err));
    return new GraphFailure(
      0,
      'NetworkError',
      `Microsoft Graph could not be reached: ${message}`,
      requestId,
      date,
    );
  }
  return new GraphFailure(status, e.code || `HTTP${status}`, e.message || `HTTP ${status}`, requestId, date);
}
