import { MAX_RETRY_AFTER_MS, retryAfterMs } from '../../src/infra/graph/retry-after';

/** Retry-After as RFC 9110 §10.2.3 defines it: delay-seconds or an HTTP-date (§5.6.7), read against a clock. */
const NOW = Date.parse('2026-11-22T12:00:00Z');

describe('retryAfterMs', () => {
  it.each([
    ['absent (null)', null, undefined],
    ['absent (undefined)', undefined, undefined],
    ['empty', '', undefined],
    ['0 seconds', '0', 0],
    ['delay-seconds', '7', 7000],
    ['delay-seconds with surrounding whitespace', ' 12 ', 12_000],
    ['leading zeros', '007', 7000],
    ['a negative number', '-1', undefined],
    ['a fraction (not 1*DIGIT)', '1.5', undefined],
    ['digits and text', '5 s', undefined],
    ['a word', 'soon', undefined],
    ['more than a day of seconds', '999999999999999999999', MAX_RETRY_AFTER_MS],
    ['IMF-fixdate 5 s ahead', 'Sun, 22 Nov 2026 12:00:05 GMT', 5000],
    ['IMF-fixdate in the past', 'Sun, 22 Nov 2026 11:00:00 GMT', 0],
    ['IMF-fixdate a week ahead', 'Sun, 29 Nov 2026 12:00:00 GMT', MAX_RETRY_AFTER_MS],
    ['IMF-fixdate from toUTCString', new Date(NOW + 90_000).toUTCString(), 90_000],
    ['rfc850-date', 'Sunday, 22-Nov-26 12:01:00 GMT', 60_000],
    ['rfc850-date 51 years ahead is a past year', 'Friday, 22-Nov-77 12:00:00 GMT', 0],
    ['asctime-date (read as UTC)', 'Sun Nov 22 12:00:30 2026', 30_000],
    ['asctime-date, a one-digit day padded with a space', 'Mon Nov  2 12:00:00 2026', 0],
    ['an HTTP-date in lower case (it is case-sensitive)', 'sun, 22 nov 2026 12:00:05 gmt', undefined],
    ['an HTTP-date in another zone', 'Sun, 22 Nov 2026 12:00:05 +0000', undefined],
    ['an ISO date', '2026-11-22T12:00:05Z', undefined],
    ['a day that does not exist', 'Mon, 31 Feb 2026 12:00:00 GMT', undefined],
    ['an hour that does not exist', 'Sun, 22 Nov 2026 25:00:00 GMT', undefined],
  ])('%s (%j) → %j ms', (_what, value, expected) => {
    expect(retryAfterMs(value, NOW)).toBe(expected);
  });
});
