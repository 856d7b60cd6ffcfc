import type { Clock } from '../../infra/clock';
import type { CallOptions, GraphPage, PagingGraphApi } from '../../infra/graph/graph-api';

/**
 * Graph's smallest documented resource-unit quota for one application in one tenant: 3,500 per 10 seconds for
 * a tenant under 50 users (5,000 up to 500 users, 8,000 above; throttling-limits, "Identity and access service
 * limits"). The bot does not know the tenant's size, so it plans with the smallest.
 */
export const DIRECTORY_QUOTA_PER_10S = 3500;

/** The share of that quota the monitor's reads may use unless MONITOR_GRAPH_SHARE says otherwise. */
export const DEFAULT_MONITOR_GRAPH_SHARE = 0.25;

/**
 * Milliseconds between two of the monitor's requests so they use at most `share` of the quota. Each read is
 * counted as one resource unit: the base cost of an identity GET not listed on the page is 1 and `$select`
 * takes one off (never below 1), which covers users delta, the filtered group lists and their members.
 */
export function monitorSpacingMs(share: number, quotaPer10s = DIRECTORY_QUOTA_PER_10S): number {
  return 10_000 / (share * quotaPer10s);
}

/**
 * The monitor's view of Graph: every request spaced by {@link monitorSpacingMs} on the clock, and sent with
 * `x-ms-throttle-priority: low`, so when Graph has to throttle, people's look-ups (sent without it) go first.
 * Retry-After is honoured below, by the client's retry handler.
 */
export function monitorGraph(graph: PagingGraphApi, clock: Clock, share: number): PagingGraphApi {
  const spacing = monitorSpacingMs(share);
  let nextAt = Number.NEGATIVE_INFINITY;
  const slot = async (): Promise<void> => {
    const now = clock.now();
    const at = Math.max(now, nextAt);
    nextAt = at + spacing;
    if (at > now) await clock.sleep(at - now);
  };
  const low = (options: CallOptions | undefined): CallOptions => ({ ...options, throttlePriority: 'low' });
  const page = async <T>(pathOrLink: string, options?: CallOptions): Promise<GraphPage<T>> => {
    await slot();
    return graph.page<T>(pathOrLink, low(options));
  };
  return {
    async get<T>(path: string, options?: CallOptions): Promise<T> {
      await slot();
      return graph.get<T>(path, low(options));
    },
    page,
    async list<T>(path: string, options?: CallOptions & { maxItems?: number }): Promise<T[]> {
      const max = options?.maxItems ?? Number.POSITIVE_INFINITY;
      const items: T[] = [];
      let next: string | undefined = path;
      while (next !== undefined && items.length < max) {
        const p: GraphPage<T> = await page<T>(next, options);
        items.push(...p.value);
        next = p.nextLink;
      }
      return items.slice(0, max);
    },
    post: (path, body, options) => graph.post(path, body, options),
  };
}
