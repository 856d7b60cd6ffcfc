import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BlobStateStore } from '../../src/infra/storage/blob-state-store';
import { FileStateStore } from '../../src/infra/storage/file-state-store';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { ConcurrencyError, mutate, type StateStore } from '../../src/infra/storage/state-store';
import { startAzurite, type Azurite } from './azurite';

jest.setTimeout(60_000);

interface Backend {
  name: string;
  open(): Promise<StateStore>;
}

let azurite: Azurite | undefined;
let dir: string;
let containerCount = 0;

beforeAll(async () => {
  azurite = await startAzurite();
});
afterAll(async () => {
  await azurite?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'store-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const backends: Backend[] = [
  { name: 'file', open: () => FileStateStore.open(dir) },
  {
    name: 'file, remembering only the last record',
    open: () => FileStateStore.open(dir, { recentRecords: 1 }),
  },
  { name: 'memory', open: async () => new MemoryStateStore() },
  {
    name: 'azure blob (Azurite)',
    open: () => BlobStateStore.open(azurite!.connectionString, `contract${++containerCount}`),
  },
];

describe.each(backends)('StateStore contract: $name', (backend) => {
  let store: StateStore;
  beforeEach(async () => {
    store = await backend.open();
  });
  afterEach(() => store.close());

  it('reads back what it created, with an eTag', async () => {
    const eTag = await store.create('remediation/abc', { state: 'pending', n: 1 });
    expect(eTag).not.toBe('');
    expect(await store.get('remediation/abc')).toEqual({ value: { state: 'pending', n: 1 }, eTag });
    expect(await store.get('remediation/missing')).toBeUndefined();
  });

  it('refuses a second create of the same key', async () => {
    await store.create('k', { a: 1 });
    await expect(store.create('k', { a: 2 })).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.get<{ a: number }>('k'))?.value.a).toBe(1);
  });

  it('lets exactly one of many concurrent creates of the same key win', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.create('born', { by: `c${i}` })),
    );
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ i, eTag: r.value }] : []));
    expect(won).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected' && r.reason instanceof ConcurrencyError),
    ).toHaveLength(7);
    expect(await store.get('born')).toEqual({ value: { by: `c${won[0]?.i}` }, eTag: won[0]?.eTag });
  });

  it('updates only with the current eTag', async () => {
    const first = await store.create('k', { v: 1 });
    const second = await store.update('k', { v: 2 }, first);
    expect(second).not.toBe(first);
    await expect(store.update('k', { v: 3 }, first)).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(store.update('missing', { v: 1 }, first)).rejects.toBeInstanceOf(ConcurrencyError);
    expect((await store.get<{ v: number }>('k'))?.value.v).toBe(2);
  });

  it('lets exactly one of many concurrent updates from the same version win', async () => {
    const eTag = await store.create('race', { winner: 'none' });
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.update('race', { winner: `w${i}` }, eTag)),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter((r) => r.status === 'rejected' && r.reason instanceof ConcurrencyError),
    ).toHaveLength(7);
  });

  it('applies every increment through mutate() despite contention', async () => {
    await store.create('counter', { n: 0 });
    await Promise.all(
      Array.from({ length: 4 }, () => mutate<{ n: number }>(store, 'counter', (c) => ({ n: c.n + 1 }), 20)),
    );
    expect((await store.get<{ n: number }>('counter'))?.value.n).toBe(4);
  });

  it('lists keys by prefix in order, keys with odd characters included', async () => {
    const keys = ['audit/0002', 'audit/0001', 'conversation/19:a@thread.tacv2;messageid=1', 'remediation/x'];
    for (const k of keys) await store.create(k, { k });
    expect(await store.list('audit/')).toEqual(['audit/0001', 'audit/0002']);
    expect(await store.list('conversation/19:a@')).toEqual(['conversation/19:a@thread.tacv2;messageid=1']);
    expect((await store.get<{ k: string }>('conversation/19:a@thread.tacv2;messageid=1'))?.value.k).toBe(
      keys[2],
    );
  });

  it('appends to logs in order, each log on its own, and reads none for a log never written', async () => {
    await store.append('audit/2026-11-23T08', { n: 1 });
    await store.append('audit/2026-11-23T09', { n: 10 });
    await store.append('audit/2026-11-23T08', { n: 2, text: 'line\nbreak \u001e separator' });
    expect(await store.readLog('audit/2026-11-23T08')).toEqual([
      { n: 1 },
      { n: 2, text: 'line\nbreak \u001e separator' },
    ]);
    expect(await store.readLog('audit/2026-11-23T09')).toEqual([{ n: 10 }]);
    expect(await store.readLog('audit/2026-11-23T10')).toEqual([]);
  });

  it('keeps every one of many concurrent appends', async () => {
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.append('busy', { i })));
    const read = await store.readLog<{ i: number }>('busy');
    expect(read.map((e) => e.i).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });

  it('lists logs by prefix in order, apart from keys of the same names', async () => {
    await store.create('audit/0001', { item: true });
    for (const log of ['audit/2026-11-23T09', 'audit/2026-11-23T08', 'conversation/19:a@thread.tacv2'])
      await store.append(log, { log });
    expect(await store.logs('audit/')).toEqual(['audit/2026-11-23T08', 'audit/2026-11-23T09']);
    expect(await store.logs('conversation/19:a@')).toEqual(['conversation/19:a@thread.tacv2']);
    expect(await store.list('')).toEqual(['audit/0001']);
    expect(await store.logs('')).toEqual([
      'audit/2026-11-23T08',
      'audit/2026-11-23T09',
      'conversation/19:a@thread.tacv2',
    ]);
    expect(await store.get('audit/2026-11-23T08')).toBeUndefined();
  });

  it('deletes, and deleting twice is harmless', async () => {
    await store.create('gone', {});
    await store.delete('gone');
    await store.delete('gone');
    expect(await store.get('gone')).toBeUndefined();
    expect(await store.list('gone')).toEqual([]);
  });
});
