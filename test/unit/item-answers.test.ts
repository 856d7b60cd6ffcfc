import type { RemediationAction } from '../../src/domain/actions/action';
import { defaultRegistry } from '../../src/domain/actions/registry';
import type { BulkItem } from '../../src/domain/remediation/bulk-target';
import { GraphFailure } from '../../src/infra/graph/graph-failure';
import { readBatchFailure, readItemAnswer, type AnswerContext } from '../../src/features/bulk/item-answers';
import type { BatchAnswer } from '../../src/features/bulk/json-batch';
import { ManualClock } from '../fakes/manual-clock';

const NOW = Date.parse('2026-11-22T12:00:00Z');
const context: AnswerContext = {
  action: defaultRegistry(new ManualClock(NOW)).find('retry-provisioning') as RemediationAction,
  approverName: 'Ada Admin',
  maxThrottled: 3,
};
const item: BulkItem = {
  id: 'user-1',
  label: 'User 1',
  target: { user: { id: 'user-1', displayName: 'User 1' }, unresolvedErrors: 1 },
};

function answer(status: number, headers: Record<string, string> = {}): BatchAnswer {
  return { id: '0', status, headers, body: {}, requestId: 'req-1', date: undefined };
}

describe('readItemAnswer', () => {
  it.each([
    ['a 2xx is the action’s own outcome', 204, {}, 0, { s: 'done', outcome: 'succeeded' }, undefined],
    ['no answer in the batch is unknown', 0, {}, 0, { s: 'unknown' }, undefined],
    [
      'a 429 holds the run for its Retry-After',
      429,
      { 'retry-after': '7' },
      0,
      { s: 'pending', throttled: 1 },
      { scope: 'run', waitMs: 7000 },
    ],
    [
      'a 503 holds only the item for its Retry-After',
      503,
      { 'retry-after': '5' },
      1,
      { s: 'pending', throttled: 2 },
      { scope: 'items', waitMs: 5000 },
    ],
    [
      'a 503 without Retry-After backs off',
      503,
      {},
      2,
      { s: 'pending', throttled: 3 },
      { scope: 'items', waitMs: 4000 },
    ],
    [
      'a 429 once too often fails the item',
      429,
      {},
      3,
      { s: 'done', outcome: 'failed', status: 429 },
      undefined,
    ],
    ['a 500 may have run: unknown', 500, {}, 0, { s: 'unknown' }, undefined],
    [
      'a 404 failed',
      404,
      {},
      0,
      { s: 'done', outcome: 'failed', status: 404, requestId: 'req-1' },
      undefined,
    ],
  ] as const)('%s', (_, status, headers, throttled, state, retry) => {
    const verdict = readItemAnswer(context, item, throttled, answer(status, headers), NOW);
    expect(verdict.state).toMatchObject(state);
    expect(verdict.retry).toEqual(retry);
  });
});

describe('readBatchFailure', () => {
  const failure = (status: number) =>
    new GraphFailure(status, `HTTP${status}`, 'refused', 'req-2', undefined);

  it.each([
    ['a 401 renews the token', failure(401), [0, 0], { kind: 'unauthorized' }],
    [
      'a 429 holds the run, backing off after the most throttled item',
      failure(429),
      [0, 2],
      { kind: 'throttled', retry: { scope: 'run', waitMs: 4000 } },
    ],
    [
      'a 503 holds these items',
      failure(503),
      [0],
      { kind: 'throttled', retry: { scope: 'items', waitMs: 1000 } },
    ],
    [
      'a 503 once too often fails them',
      failure(503),
      [0, 3],
      { kind: 'settled', state: { s: 'done', outcome: 'failed', status: 503 } },
    ],
    [
      'a 400 fails them',
      failure(400),
      [0],
      { kind: 'settled', state: { s: 'done', outcome: 'failed', status: 400, requestId: 'req-2' } },
    ],
    ['a 502 may have run them: unknown', failure(502), [0], { kind: 'settled', state: { s: 'unknown' } }],
    [
      'no answer at all: unknown',
      new Error('socket hang up'),
      [0],
      { kind: 'settled', state: { s: 'unknown' } },
    ],
  ] as const)('%s', (_, err, throttled, verdict) => {
    expect(readBatchFailure(context, err, throttled)).toMatchObject(verdict);
  });
});
