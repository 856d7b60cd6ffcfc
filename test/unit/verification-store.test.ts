import { VerificationStore } from '../../src/domain/remediation/verification-store';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';

const T0 = Date.parse('2026-11-22T12:00:00Z');
const MIN = 60_000;
const CLAIM = 5 * MIN;

async function scheduled(due: number[]) {
  const checks = new VerificationStore(new MemoryStateStore(), CLAIM);
  await checks.schedule('r1', due);
  return checks;
}

describe('VerificationStore', () => {
  it('lets exactly one of two instances claim a due check', async () => {
    const checks = await scheduled([T0 + 2 * MIN, T0 + 10 * MIN]);
    const claims = await Promise.all([
      checks.claim('r1', 'a', T0 + 2 * MIN),
      checks.claim('r1', 'b', T0 + 2 * MIN),
    ]);
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it.each<[string, number, boolean | undefined]>([
    ['before the first check is due: nothing', T0 + MIN, undefined],
    ['at the first check: claimed, more to come', T0 + 2 * MIN, false],
    ['after every check fell due (the bot was down): one claim, the last', T0 + 60 * MIN, true],
  ])('%s', async (_what, now, last) => {
    const checks = await scheduled([T0 + 2 * MIN, T0 + 10 * MIN, T0 + 30 * MIN]);
    expect((await checks.claim('r1', 'a', now))?.last).toBe(last);
  });

  it('leaves a held check to its holder until the claim lapses, then lets another take it', async () => {
    const checks = await scheduled([T0 + 2 * MIN]);
    expect(await checks.claim('r1', 'a', T0 + 2 * MIN)).toBeDefined();
    expect(await checks.claim('r1', 'b', T0 + 3 * MIN)).toBeUndefined();
    expect(await checks.claim('r1', 'b', T0 + 2 * MIN + CLAIM)).toBeDefined();
  });

  it('drops a finished check and those already past, and the record once none is left', async () => {
    const checks = await scheduled([T0 + 2 * MIN, T0 + 10 * MIN, T0 + 30 * MIN]);
    const first = await checks.claim('r1', 'a', T0 + 11 * MIN);
    if (!first) throw new Error('not claimed');
    await checks.finish(first, false, T0 + 11 * MIN);
    expect(await checks.claim('r1', 'a', T0 + 29 * MIN)).toBeUndefined();
    const last = await checks.claim('r1', 'a', T0 + 30 * MIN);
    expect(last?.last).toBe(true);
    if (!last) throw new Error('not claimed');
    await checks.finish(last, false, T0 + 30 * MIN);
    expect(await checks.planned()).toEqual([]);
  });

  it('plans a remediation once', async () => {
    const checks = await scheduled([T0 + 2 * MIN]);
    await checks.schedule('r1', [T0 + 99 * MIN]);
    expect((await checks.claim('r1', 'a', T0 + 2 * MIN))?.checks.due).toEqual([
      new Date(T0 + 2 * MIN).toISOString(),
    ]);
  });
});
