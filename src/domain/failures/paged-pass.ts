import type { CallOptions } from '../../infra/graph/graph-api';
import type { DetectionContext, PartialCoverage, ScanPosition } from './detector';

/** One pass's worth of reading this cycle: the items, what they cover, and where to go on from. */
export interface PassRead<T> {
  readonly items: readonly T[];
  readonly partial: PartialCoverage;
  readonly position: ScanPosition;
}

/** Where a paged pass stands between cycles. */
interface PassPosition {
  /** The query the pass was started with; another query starts a new pass. */
  readonly query: string;
  /** The @odata.nextLink to read next; null once the pass is complete. */
  readonly link: string | null;
  readonly startedAt: string;
  readonly pages: number;
  readonly items: number;
}

function passPosition(p: ScanPosition | undefined, query: string): PassPosition | undefined {
  if (!p || p['query'] !== query || typeof p['link'] !== 'string') return undefined;
  const { startedAt, pages, items } = p;
  if (typeof startedAt !== 'string' || typeof pages !== 'number' || typeof items !== 'number')
    return undefined;
  return { query, link: p['link'], startedAt, pages, items };
}

/**
 * Reads a server-filtered collection page by page, at most `ctx.pageBudget` pages a cycle. A pass that needs
 * more stops after a page and goes on next cycle from the @odata.nextLink kept in its position, so a large
 * answer is read whole over several cycles instead of being cut. `extra` is kept in the position beside it.
 */
export async function readPass<T>(
  ctx: DetectionContext,
  path: string,
  options: CallOptions,
  extra: ScanPosition = {},
): Promise<PassRead<T>> {
  const query = JSON.stringify([path, options.version ?? 'v1.0', options.query ?? {}]);
  const resumed = passPosition(ctx.position, query);
  const startedAt = resumed?.startedAt ?? ctx.now.toISOString();
  let pages = resumed?.pages ?? 0;
  let count = resumed?.items ?? 0;
  const items: T[] = [];
  let link: string | undefined = resumed?.link ?? undefined;
  let read = 0;
  do {
    const page = await ctx.graph.page<T>(link ?? path, options);
    items.push(...page.value);
    pages++;
    read++;
    count += page.value.length;
    link = page.nextLink;
  } while (link && read < ctx.pageBudget);
  const partial: PartialCoverage = {
    passStarted: resumed === undefined,
    passComplete: link === undefined,
    ...(link ? { behind: { startedAt, pages, items: count } } : {}),
  };
  const position: ScanPosition = link
    ? { ...extra, query, link, startedAt, pages, items: count }
    : { ...extra, query };
  return { items, partial, position };
}
