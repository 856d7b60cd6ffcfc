import type { CallOptions, GraphPage, GraphResult, PagingGraphApi } from '../../src/infra/graph/graph-api';
import { GraphFailure } from '../../src/infra/graph/graph-failure';

/** One call an action made, as a unit test sees it. */
export interface Call {
  method: 'GET' | 'POST';
  path: string;
  version: string;
  query: Record<string, string>;
  body?: unknown;
}

type Answer = unknown | GraphFailure | ((call: Call) => unknown);

/**
 * A GraphApi for unit tests of actions: answers from a table keyed by "METHOD path", records every call.
 * Integration tests use the wire-level fake Graph instead.
 */
export class ScriptedGraph implements PagingGraphApi {
  readonly calls: Call[] = [];
  constructor(private readonly answers: Record<string, Answer>) {}

  private answer(call: Call): unknown {
    this.calls.push(call);
    const key = `${call.method} ${call.path}`;
    if (!(key in this.answers))
      throw new GraphFailure(404, 'Request_ResourceNotFound', `no answer for ${key}`, 'rid-404', undefined);
    const a = this.answers[key];
    const value = typeof a === 'function' ? (a as (c: Call) => unknown)(call) : a;
    if (value instanceof GraphFailure) throw value;
    return value;
  }

  async get<T>(path: string, options?: CallOptions): Promise<T> {
    return this.answer({
      method: 'GET',
      path,
      version: options?.version ?? 'v1.0',
      query: { ...options?.query },
    }) as T;
  }

  async list<T>(path: string, options?: CallOptions & { maxItems?: number }): Promise<T[]> {
    const page = (await this.get<{ value: T[] }>(path, options)) ?? { value: [] };
    return page.value.slice(0, options?.maxItems);
  }

  async page<T>(pathOrLink: string, options?: CallOptions): Promise<GraphPage<T>> {
    const body = (await this.get<{
      value?: T[];
      '@odata.nextLink'?: string;
      '@odata.deltaLink'?: string;
    }>(pathOrLink, options)) ?? { value: [] };
    const next = body['@odata.nextLink'];
    const delta = body['@odata.deltaLink'];
    return {
      value: body.value ?? [],
      ...(next ? { nextLink: next } : {}),
      ...(delta ? { deltaLink: delta } : {}),
    };
  }

  async post<T>(path: string, body: unknown, options?: CallOptions): Promise<GraphResult<T>> {
    return this.answer({
      method: 'POST',
      path,
      version: options?.version ?? 'v1.0',
      query: {},
      body,
    }) as GraphResult<T>;
  }
}
