import type { BulkItem, BulkTarget } from '../../src/domain/remediation/bulk-target';
import { startRun, type Remediation } from '../../src/domain/remediation/remediation';
import { RemediationStore } from '../../src/domain/remediation/remediation-store';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';

const NOW = new Date('2026-11-22T12:00:00Z');
const ADA = { aadObjectId: 'ada', name: 'Ada' };

function item(n: number): BulkItem {
  const id = `u${n}`;
  return { id, label: `User ${n}`, target: { user: { id, displayName: `User ${n}` }, unresolvedErrors: 1 } };
}

function remediation(id: string, target: unknown): Remediation {
  const r: Remediation = {
    id,
    action: 'retry-provisioning',
    args: { positional: {}, flags: {} },
    command: 'retry-provisioning --group Sales',
    target,
    confirmation: { title: 't', why: 'w', facts: [], problems: [] },
    address: {
      serviceUrl: 'https://smba.example',
      channelId: 'msteams',
      conversationId: 'c1',
      conversationType: 'channel',
      tenantId: 't1',
      botId: 'b1',
      botName: 'bot',
    },
    requestedBy: ADA,
    createdAt: NOW.toISOString(),
    state: 'pending',
  };
  return r;
}

const bulk = (count: number): BulkTarget => ({
  kind: 'bulk',
  source: 'group Sales',
  items: Array.from({ length: count }, (_, n) => item(n)),
  skipped: [],
});

/** The stored record's JSON as the store keeps it, to see what each write costs. */
async function storedSize(store: MemoryStateStore, id: string): Promise<number> {
  return JSON.stringify((await store.get(`remediation/${id}`))?.value).length;
}

describe('RemediationStore', () => {
  const ID = 'a'.repeat(22);

  it('keeps a bulk run’s items apart, so its transitions rewrite a small record', async () => {
    const store = new MemoryStateStore();
    const remediations = new RemediationStore(store);
    const r = remediation(ID, bulk(5_000));
    await remediations.create(r);
    expect(await storedSize(store, ID)).toBeLessThan(2_000);
    expect((await store.get(`remediation-items/${ID}`))?.value).toEqual((r.target as BulkTarget).items);

    const started = await remediations.update(ID, (current) => startRun(current, ADA, NOW));
    expect(started?.changed).toBe(true);
    expect(started?.value).toEqual(startRun(r, ADA, NOW));
    expect(await storedSize(store, ID)).toBeLessThan(2_000);
    // Another instance, with nothing kept in memory, reads the same run.
    expect(await new RemediationStore(store).get(ID)).toEqual(startRun(r, ADA, NOW));
  });

  it('reads a record once per transition', async () => {
    const reads: string[] = [];
    class CountingStore extends MemoryStateStore {
      override get<T>(key: string) {
        reads.push(key);
        return super.get<T>(key);
      }
    }
    const remediations = new RemediationStore(new CountingStore());
    await remediations.create(remediation(ID, bulk(3)));
    reads.length = 0;
    await remediations.update(ID, (current) => startRun(current, ADA, NOW));
    expect(reads).toEqual([`remediation/${ID}`]);
  });

  it.each([
    ['a single target', { user: { id: 'u1' } }],
    ['a bulk run stored whole, before its items were kept apart', bulk(3)],
  ])('reads and updates %s as it was stored', async (_what, target) => {
    const store = new MemoryStateStore();
    const r = remediation(ID, target);
    await store.create(`remediation/${ID}`, r);
    const remediations = new RemediationStore(store);
    expect(await remediations.get(ID)).toEqual(r);
    await remediations.update(ID, (current) => startRun(current, ADA, NOW));
    expect((await store.get(`remediation/${ID}`))?.value).toEqual(startRun(r, ADA, NOW));
    expect(await store.get(`remediation-items/${ID}`)).toBeUndefined();
  });

  it('answers an unknown id, and a transition that does not apply, as before', async () => {
    const remediations = new RemediationStore(new MemoryStateStore());
    expect(await remediations.update(ID, (current) => current)).toBeUndefined();
    await remediations.create(remediation(ID, bulk(2)));
    const again = await remediations.update(ID, () => undefined);
    expect(again?.changed).toBe(false);
    expect((again?.value.target as BulkTarget).items).toHaveLength(2);
  });
});
