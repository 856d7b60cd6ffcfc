import type { ItemFinding, ItemState } from '../../src/features/bulk/bulk-store';
import { verdictOf } from '../../src/features/bulk/bulk-verification';
import type { BulkTarget } from '../../src/domain/remediation/bulk-target';

const accepted = (checked?: ItemFinding): ItemState => ({
  s: 'done',
  outcome: 'succeeded',
  status: 204,
  summary: 'Accepted.',
  ...(checked ? { checked } : {}),
});
const failed: ItemState = { s: 'done', outcome: 'failed', status: 403, summary: 'Refused.' };
const R = { v: 'resolved', note: 'gone' } as const;
const F = { v: 'failing', note: 'exchange: still there' } as const;
const U = { v: 'unverified', note: 'deleted' } as const;

function target(count: number): BulkTarget {
  return {
    kind: 'bulk',
    source: 'test',
    skipped: [],
    items: Array.from({ length: count }, (_, i) => ({ id: `u${i}`, label: `User ${i}`, target: {} })),
  };
}

describe('a bulk run’s verdict from its targets’ findings', () => {
  it.each<[string, ItemState[], boolean, string, string]>([
    ['all resolved', [accepted(R), accepted(R)], false, 'resolved', '2 resolved.'],
    [
      'one failing, checks remain',
      [accepted(R), accepted(F)],
      false,
      'verifying',
      '1 resolved, 1 still failing.',
    ],
    [
      'one failing after the last',
      [accepted(R), accepted(F)],
      true,
      'still-failing',
      '1 resolved, 1 still failing.',
    ],
    [
      'one not read yet, checks remain',
      [accepted(R), accepted()],
      false,
      'verifying',
      '1 resolved, 1 not read yet.',
    ],
    [
      'one not read after the last',
      [accepted(R), accepted()],
      true,
      'unverified',
      '1 resolved, 1 not read yet.',
    ],
    [
      'one deleted, the rest resolved',
      [accepted(R), accepted(U)],
      false,
      'unverified',
      '1 resolved, 1 not verified.',
    ],
    ['failed targets are not verified', [accepted(R), failed], false, 'resolved', '1 resolved.'],
    [
      'an unknown outcome is verified like an accepted one',
      [{ s: 'unknown', summary: '?', checked: F }],
      true,
      'still-failing',
      '1 still failing.',
    ],
  ])('%s', (_what, items, last, status, note) => {
    const verdict = verdictOf(target(items.length), [{ index: 0, items }], last);
    expect(verdict.status).toBe(status);
    expect(verdict.note).toBe(note);
  });

  it('names the targets still failing with their error', () => {
    const verdict = verdictOf(target(2), [{ index: 0, items: [accepted(R), accepted(F)] }], true);
    expect(verdict.details).toEqual(['User 1: exchange: still there']);
    expect(verdict.tally).toEqual({ resolved: 1, failing: 1, unverified: 0, unchecked: 0 });
  });
});
