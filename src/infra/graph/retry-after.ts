/**
 * The longest wait a Retry-After is read as. A server may name any delay; callers compare the result with their
 * own limit (wait, or give up and say so), and a bounded value keeps that comparison and the timers finite.
 */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = MONTHS.join('|');
const DAY = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
const DAY_NAME = 'Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday';
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';

/** IMF-fixdate, the preferred form: `Sun, 06 Nov 1994 08:49:37 GMT`. */
const IMF_FIXDATE = new RegExp(`^(?:${DAY}), (\\d{2}) (${MONTH}) (\\d{4}) ${TIME} GMT$`);
/** rfc850-date, obsolete: `Sunday, 06-Nov-94 08:49:37 GMT`. */
const RFC850_DATE = new RegExp(`^(?:${DAY_NAME}), (\\d{2})-(${MONTH})-(\\d{2}) ${TIME} GMT$`);
/** asctime-date, obsolete and in UTC: `Sun Nov  6 08:49:37 1994`. */
const ASCTIME_DATE = new RegExp(`^(?:${DAY}) (${MONTH}) ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * Reads a Retry-After field value (RFC 9110 §10.2.3) into the milliseconds to wait from `nowMs`: delay-seconds
 * (digits only) or an HTTP-date in any of its three forms (§5.6.7), a date in the past meaning 0. Undefined when
 * absent or not one of those, so the caller falls back to its own backoff. At most {@link MAX_RETRY_AFTER_MS}.
 */
export function retryAfterMs(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(MAX_RETRY_AFTER_MS, Number(text) * 1000);
  const date = httpDate(text, nowMs);
  return date === undefined ? undefined : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, date - nowMs));
}

/** An HTTP-date as epoch milliseconds; undefined when the text is none, or names a day that does not exist. */
function httpDate(text: string, nowMs: number): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = ASCTIME_DATE.exec(text);
  if (m) return utc(m[6], m[1], m[2], m[3], m[4], m[5]);
  m = RFC850_DATE.exec(text);
  if (!m) return undefined;
  // A two-digit year more than 50 years ahead is the most recent past year with those digits (§5.6.7).
  const thisYear = new Date(nowMs).getUTCFullYear();
  let year = Math.floor(thisYear / 100) * 100 + Number(m[3]);
  if (year > thisYear + 50) year -= 100;
  return utc(String(year), m[2], m[1], m[4], m[5], m[6]);
}

function utc(...[year, month, day, hour, minute, second]: Array<string | undefined>): number | undefined {
  const fields = [year, day, hour, minute, second].map((f) => Number(f?.trim()));
  const [y = 0, d = 0, h = 0, min = 0, s = 0] = fields;
  const mo = MONTHS.indexOf(month ?? '');
  const ms = Date.UTC(y, mo, d, h, min, s);
  const back = new Date(ms);
  const exact =
    back.getUTCFullYear() === y &&
    back.getUTCMonth() === mo &&
    back.getUTCDate() === d &&
    back.getUTCHours() === h &&
    back.getUTCMinutes() === min &&
    back.getUTCSeconds() === s;
  return exact ? ms : undefined;
}
