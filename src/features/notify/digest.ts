import { DIGEST_LINES } from '../cards/failure-cards';

/** One message to send: a card for one failure, or a digest listing several. */
export type CardPlan<T> =
  { readonly kind: 'single'; readonly item: T } | { readonly kind: 'digest'; readonly items: readonly T[] };

/** Lines per digest card: as many as the card lists, so no failure in a digest goes unlisted. */
export const MAX_DIGEST_LINES = DIGEST_LINES;

/**
 * Up to `threshold` new failures for a conversation get a card each; more than that get digests instead,
 * so a bad night does not bury a channel. A digest over `maxLines` is split into balanced parts.
 */
export function planCards<T>(
  items: readonly T[],
  threshold: number,
  maxLines = MAX_DIGEST_LINES,
): CardPlan<T>[] {
  if (items.length <= threshold) return items.map((item) => ({ kind: 'single', item }));
  const parts = Math.ceil(items.length / maxLines);
  const size = Math.ceil(items.length / parts);
  const plans: CardPlan<T>[] = [];
  for (let start = 0; start < items.length; start += size) {
    plans.push({ kind: 'digest', items: items.slice(start, start + size) });
  }
  return plans;
}
