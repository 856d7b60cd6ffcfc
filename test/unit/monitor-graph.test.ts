import { monitorSpacingMs } from '../../src/features/notify/monitor-graph';

describe('the monitor’s share of Graph', () => {
  it.each<[number, number | undefined, number]>([
    // share, quota per 10 s (default: the smallest documented, 3,500), ms between two reads
    [1, undefined, 10_000 / 3500],
    [0.25, undefined, 10_000 / 875],
    [0.25, 8000, 5],
    [0.1, 5000, 20],
  ])('share %p of %p resource units per 10 s spaces reads %p ms apart', (share, quota, spacing) => {
    expect(monitorSpacingMs(share, quota)).toBeCloseTo(spacing, 9);
  });
});
