import { nameAndId, sortFacts } from '../../src/features/cards/card-facts';
import {
  approvalWindow,
  localTimesIn,
  spanBetween,
  spanWords,
  timeBefore,
} from '../../src/features/cards/relative-time';

const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

describe('spanWords rounds down, so a span is never overstated', () => {
  it.each([
    [0, 'under a minute'],
    [59 * S, 'under a minute'],
    [MIN, '1 min'],
    [MIN + 59 * S, '1 min'],
    [59 * MIN + 59 * S, '59 min'],
    [H, '1 h'],
    [H + 30 * MIN, '1 h 30 min'],
    [9 * H + 59 * MIN, '9 h 59 min'],
    [10 * H + 59 * MIN, '10 h'],
    [23 * H + 59 * MIN, '23 h'],
    [D, '24 h'],
    [2 * D - 1, '47 h'],
    [2 * D, '2 days'],
    [3 * D - 1, '2 days'],
    [45 * D, '45 days'],
    [Number.NaN, 'under a minute'],
  ])('%d ms reads "%s"', (ms, words) => {
    expect(spanWords(ms)).toBe(words);
  });
});

describe('spanBetween', () => {
  it.each([
    ['2026-11-22T12:00:00Z', '2026-11-23T12:00:00Z', '24 h'],
    ['2026-11-22T12:00:00.000Z', '2026-11-22T14:00:00+02:00', null],
    ['2026-11-22T12:00:00Z', '2026-11-22T11:00:00Z', null],
    ['not a time', '2026-11-22T11:00:00Z', null],
    [undefined, '2026-11-22T11:00:00Z', null],
  ])('%s to %s: %s', (from, to, words) => {
    expect(spanBetween(from, to)).toBe(words);
  });
});

describe('words anchored to fixed moments, beside the viewer-local time', () => {
  const local = (iso: string) => `{{DATE(${iso}, SHORT)}} {{TIME(${iso})}}`;

  it.each([
    [
      '2026-11-22T12:00:00.123Z',
      '2026-11-23T12:00:00.123Z',
      `Can be approved for 24 h from the request, until ${local('2026-11-23T12:00:00Z')}; then it expires.`,
    ],
    [
      '2026-11-22T12:00:00Z',
      '2026-11-22T12:00:00Z',
      `Can be approved until ${local('2026-11-22T12:00:00Z')}; then it expires.`,
    ],
  ])('a request made %s that expires %s', (created, expires, words) => {
    expect(approvalWindow(created, expires)).toBe(words);
  });

  it.each([
    [
      '2026-11-20T09:00:00Z',
      '2026-11-22T12:00:00Z',
      `${local('2026-11-20T09:00:00Z')}, 2 days before this alert`,
    ],
    [
      '2026-11-22T09:00:00Z',
      '2026-11-22T12:00:00Z',
      `${local('2026-11-22T09:00:00Z')}, 3 h before this alert`,
    ],
    ['2026-11-22T11:59:30Z', '2026-11-22T12:00:00Z', local('2026-11-22T11:59:30Z')],
    ['2026-11-22T12:05:00Z', '2026-11-22T12:00:00Z', local('2026-11-22T12:05:00Z')],
    ['yesterday', '2026-11-22T12:00:00Z', 'at an unknown time'],
  ])('failed %s, alert at %s', (at, moment, words) => {
    expect(timeBefore(at, moment, 'this alert')).toBe(words);
  });

  it.each([
    [
      'exchange/x since 2026-11-21T12:00:00.5Z: address taken',
      `exchange/x since ${local('2026-11-21T12:00:00Z')}: address taken`,
    ],
    [
      'at 2026-11-21T14:00+02:00 and 2026-11-21 noon',
      `at ${local('2026-11-21T12:00:00Z')} and 2026-11-21 noon`,
    ],
    ['no time here', 'no time here'],
  ])('localTimesIn(%j)', (text, shown) => {
    expect(localTimesIn(text)).toBe(shown);
  });
});

describe('sortFacts: the body names, times read in each zone, the footer keeps ids', () => {
  const guid = '10000000-0000-4000-8000-000000000002';
  const local = '{{DATE(2026-11-21T12:00:00Z, SHORT)}} {{TIME(2026-11-21T12:00:00Z)}}';
  it.each([
    [{ title: 'Object id', value: guid }, null, null, `Object id ${guid}`],
    [{ title: 'Read-back request-id', value: 'abc' }, null, null, 'Read-back request-id abc'],
    [{ title: 'Policy', value: guid }, null, null, `Policy ${guid}`],
    [
      { title: 'Holder of alice@contoso.com', value: `user Bob Jones (bob@contoso.com) · ${guid}` },
      { title: 'Holder of alice@contoso.com', value: 'user Bob Jones (bob@contoso.com)' },
      null,
      `user Bob Jones (bob@contoso.com) ${guid}`,
    ],
    [{ title: 'Completed', value: '2026-11-21T12:00:00.123Z' }, null, `Completed ${local}`, null],
    [{ title: 'Created', value: '—' }, { title: 'Created', value: '—' }, null, null],
    [{ title: 'UPN', value: 'alice@contoso.com' }, { title: 'UPN', value: 'alice@contoso.com' }, null, null],
    [{ title: 'Paid', value: 'Valid' }, { title: 'Paid', value: 'Valid' }, null, null],
  ])('%j', (fact, body, time, id) => {
    expect(sortFacts([fact])).toEqual({
      facts: body ? [body] : [],
      times: time ? [time] : [],
      ids: id ? [id] : [],
    });
  });

  it.each([
    [`Alice Smith (alice@contoso.com) · ${guid}`, { name: 'Alice Smith (alice@contoso.com)', id: guid }],
    ['3 users (4 named) · retry', { name: '3 users (4 named) · retry', id: null }],
  ])('nameAndId(%j)', (text, split) => {
    expect(nameAndId(text)).toEqual(split);
  });
});
