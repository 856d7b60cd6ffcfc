import { localTime } from './card-text';

/*
 * Relative words that stay true however late a card is read. A card is rendered once and read for days, so
 * "expires in 23 h" would turn false; these words measure a span between two fixed moments instead (how long a
 * request can be approved, how long a failure had lasted when its card was posted), and always stand beside the
 * absolute time, which each viewer reads in their own zone.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function count(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/**
 * A span in words, rounded down so it never overstates: "under a minute", "45 min", "2 h 30 min" (minutes
 * only under 10 h, where they matter), "23 h", "36 h" (hours up to two days), then whole days.
 */
export function spanWords(ms: number): string {
  if (!(ms >= MINUTE)) return 'under a minute';
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < 2 * DAY) {
    const hours = Math.floor(ms / HOUR);
    const minutes = Math.floor((ms % HOUR) / MINUTE);
    return hours < 10 && minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  }
  return count(Math.floor(ms / DAY), 'day');
}

/** The span from `from` to `to` in words, or null when either is not a time or `to` is not later. */
export function spanBetween(from: string | undefined, to: string | undefined): string | null {
  const a = from === undefined ? Number.NaN : Date.parse(from);
  const b = to === undefined ? Number.NaN : Date.parse(to);
  if (Number.isNaN(a) || Number.isNaN(b) || b <= a) return null;
  return spanWords(b - a);
}

/**
 * When a request stops being open to approval: "Can be approved for 24 h from the request, until <local
 * time>." The span is the request's own, so it reads true on any day.
 */
export function approvalWindow(createdAt: string, expiresAt: string): string {
  const span = spanBetween(createdAt, expiresAt);
  const until = localTime(expiresAt);
  return span
    ? `Can be approved for ${span} from the request, until ${until}; then it expires.`
    : `Can be approved until ${until}; then it expires.`;
}

/**
 * A past moment, and how long before a fixed later one it was: "{{DATE}} {{TIME}}, 2 days before this alert".
 * Spans under a minute say nothing more than the time.
 */
export function timeBefore(at: string, moment: string, what: string): string {
  const t = Date.parse(at);
  if (Number.isNaN(t)) return 'at an unknown time';
  const span = Date.parse(moment) - t >= MINUTE ? spanBetween(at, moment) : null;
  return span ? `${localTime(at)}, ${span} before ${what}` : localTime(at);
}

/** An RFC 3339 time with a zone, as Graph writes them (fractions allowed): a pattern to build on. */
export const RFC3339 = '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(?::\\d{2}(?:\\.\\d+)?)?(?:Z|[+-]\\d{2}:\\d{2})';

const TIMESTAMP = new RegExp(`\\b${RFC3339}`, 'g');

/**
 * Text with every RFC 3339 time in it written for each viewer's own zone (DATE/TIME): for lines that quote
 * Graph ("… since 2026-11-21T12:00:00Z: …"). TextBlock text only, like localTime.
 */
export function localTimesIn(text: string): string {
  return text.replace(TIMESTAMP, (iso) => localTime(iso));
}
