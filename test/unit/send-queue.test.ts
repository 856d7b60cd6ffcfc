import fc from 'fast-check';
import { SendQueue } from '../../src/features/bulk/send-queue';

/** The order a bulk run's items leave in: put back first, held until due, one group per batch. */
type Step =
  | { readonly putBack: number[] }
  | { readonly hold: number; readonly until: number }
  | { readonly release: number }
  | { readonly take: number; readonly expect: number[] };

/** Even positions are one Graph version, odd ones another, when a case groups by parity. */
const byParity = (at: number): string => String(at % 2);
const oneGroup = (): string => '';

describe('SendQueue', () => {
  it.each<[string, number[], (at: number) => string, Step[]]>([
    ['takes in order, at most max', [0, 1, 2, 3, 4], oneGroup, [{ take: 3, expect: [0, 1, 2] }]],
    [
      'takes one group, leaving the others in place',
      [0, 1, 2, 3, 4],
      byParity,
      [
        { take: 5, expect: [0, 2, 4] },
        { take: 5, expect: [1, 3] },
      ],
    ],
    [
      'goes on after items another group left behind, none taken twice',
      [0, 1, 2, 3, 4, 5, 6],
      byParity,
      [
        { take: 2, expect: [0, 2] },
        { take: 5, expect: [1, 3, 5] },
        { take: 5, expect: [4, 6] },
        { take: 5, expect: [] },
      ],
    ],
    [
      'puts items back ahead of the rest, in a full batch with them',
      [0, 1, 2, 3, 4, 5],
      oneGroup,
      [{ take: 2, expect: [0, 1] }, { putBack: [1] }, { take: 3, expect: [1, 2, 3] }],
    ],
    [
      'holds an item until it is due, then it leads',
      [0, 1, 2, 3],
      oneGroup,
      [
        { take: 1, expect: [0] },
        { hold: 0, until: 500 },
        { release: 499 },
        { take: 1, expect: [1] },
        { release: 500 },
        { take: 2, expect: [0, 2] },
      ],
    ],
    [
      'releases held items earliest first',
      [0, 1, 2],
      oneGroup,
      [
        { take: 3, expect: [0, 1, 2] },
        { hold: 2, until: 300 },
        { hold: 1, until: 200 },
        { release: 1000 },
        { take: 3, expect: [1, 2] },
        { take: 3, expect: [] },
      ],
    ],
  ])('%s', (_what, positions, group, steps) => {
    const queue = new SendQueue(positions);
    for (const step of steps) {
      if ('putBack' in step) queue.putBack(step.putBack);
      else if ('hold' in step) queue.hold(step.hold, step.until);
      else if ('release' in step) queue.release(step.release);
      else expect(queue.take(step.take, group)).toEqual(step.expect);
    }
  });

  it('says when the next held item is due', () => {
    const queue = new SendQueue([1, 2]);
    expect(queue.nextRelease()).toBeUndefined();
    expect(queue.take(20, oneGroup)).toEqual([1, 2]);
    queue.hold(1, 900);
    queue.hold(2, 400);
    expect(queue.nextRelease()).toBe(400);
    queue.release(400);
    expect(queue.nextRelease()).toBe(900);
    expect(queue.take(20, oneGroup)).toEqual([2]);
  });

  /** The queue as plain lists, copied at every batch: slow on a 5,000-item run, but obviously right. */
  class ListModel {
    again: number[] = [];
    constructor(public fresh: number[]) {}
    take(max: number, group: (at: number) => string): number[] {
      const first = this.again[0] ?? this.fresh[0];
      if (first === undefined) return [];
      const taken = [...this.again, ...this.fresh].filter((at) => group(at) === group(first)).slice(0, max);
      this.again = this.again.filter((at) => !taken.includes(at));
      this.fresh = this.fresh.filter((at) => !taken.includes(at));
      return taken;
    }
  }

  it('sends the same batches as the plain lists it replaces, whatever the groups and put-backs', () => {
    const op = fc.oneof(
      fc.record({ take: fc.integer({ min: 1, max: 6 }) }),
      fc.record({ putBack: fc.integer({ min: 0, max: 3 }) }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 3 }),
        fc.array(op),
        (n, groups, ops) => {
          const positions = Array.from({ length: n }, (_, i) => i);
          const group = (at: number) => String(at % groups);
          const queue = new SendQueue(positions);
          const model = new ListModel(positions);
          const out: number[] = [];
          for (const step of ops) {
            if ('take' in step) {
              const batch = queue.take(step.take, group);
              expect(batch).toEqual(model.take(step.take, group));
              out.push(...batch);
            } else {
              // Only what was taken can be put back: the last items out, as after a 429.
              const back = out.splice(Math.max(0, out.length - step.putBack));
              queue.putBack(back);
              model.again.push(...back);
            }
          }
        },
      ),
    );
  });
});
