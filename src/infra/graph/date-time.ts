/**
 * Graph's DateTimeOffset values carry up to seven fractional digits (…T08:15:02.1234567Z); Date keeps three.
 * A log watermark kept as a Date would fall up to a millisecond behind the entry it names, so entries at the
 * boundary are read again or, rounded the other way, lost. These helpers keep the full precision.
 */

/** An instant as epoch milliseconds plus the sub-millisecond digits (0–9999, in units of 100 ns). */
interface Instant {
  readonly ms: number;
  readonly ticks: number;
}

const ISO = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i;

function instantOf(value: string): Instant | undefined {
  const m = ISO.exec(value.trim());
  if (!m) {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : { ms, ticks: 0 };
  }
  const fraction = (m[2] ?? '').padEnd(7, '0').slice(0, 7);
  const ms = Date.parse(`${m[1]}.${fraction.slice(0, 3)}${m[3]}`);
  return Number.isNaN(ms) ? undefined : { ms, ticks: Number(fraction.slice(3)) };
}

/** Negative, zero or positive as `a` is before, at or after `b`; an unreadable value sorts first. */
export function compareDateTimes(a: string, b: string): number {
  const x = instantOf(a);
  const y = instantOf(b);
  if (!x || !y) return (x ? 1 : 0) - (y ? 1 : 0);
  return x.ms - y.ms || x.ticks - y.ticks;
}

/** `value` moved by `deltaMs`, in UTC with its sub-millisecond digits kept; undefined when unreadable. */
export function shiftDateTime(value: string, deltaMs: number): string | undefined {
  const at = instantOf(value);
  if (!at) return undefined;
  const iso = new Date(at.ms + deltaMs).toISOString();
  return at.ticks === 0 ? iso : iso.replace(/Z$/, `${String(at.ticks).padStart(4, '0').replace(/0+$/, '')}Z`);
}
