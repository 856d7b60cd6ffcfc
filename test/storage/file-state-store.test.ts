import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileStateStore } from '../../src/infra/storage/file-state-store';
import { ConcurrencyError } from '../../src/infra/storage/state-store';

let dir: string;
const opened: FileStateStore[] = [];
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'file-store-'));
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

async function open(options?: Parameters<typeof FileStateStore.open>[1]): Promise<FileStateStore> {
  const store = await FileStateStore.open(dir, options);
  opened.push(store);
  return store;
}

const fileOf = (key: string) => path.join(dir, `${encodeURIComponent(key)}.json`);
const onDisk = (key: string): unknown =>
  (JSON.parse(readFileSync(fileOf(key), 'utf8')) as { value: unknown }).value;
const ownerOnly = (file: string) => statSync(file).mode & 0o777;

describe('FileStateStore files', () => {
  it('writes a record owner-only, through a temporary file it leaves no trace of', async () => {
    const store = await open();
    const eTag = await store.create('remediation/a', { v: 1 });
    await store.update('remediation/a', { v: 2 }, eTag);
    expect(readdirSync(dir)).toEqual(['remediation%2Fa.json']);
    expect(ownerOnly(fileOf('remediation/a'))).toBe(0o600);
    expect(onDisk('remediation/a')).toEqual({ v: 2 });
  });

  it('removes its temporary file when a write fails, and keeps nothing of the failed value', async () => {
    const store = await open();
    const eTag = await store.create('k', { v: 1 });
    rmSync(fileOf('k'));
    mkdirSync(fileOf('k'));
    writeFileSync(path.join(fileOf('k'), 'blocker'), '');
    await expect(store.update('k', { v: 2 }, eTag)).rejects.toMatchObject({
      code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/),
    });
    expect(readdirSync(dir)).toEqual(['k.json']);
    await expect(store.get('k')).rejects.toMatchObject({ code: 'EISDIR' });
  });

  it('refuses to create a key whose file an earlier process wrote', async () => {
    const before = await open();
    await before.create('k', { by: 'before' });
    const after = await open();
    await expect(after.create('k', { by: 'after' })).rejects.toBeInstanceOf(ConcurrencyError);
    expect(onDisk('k')).toEqual({ by: 'before' });
  });

  it('finishes the writes under way when closed, and refuses what is asked for afterwards', async () => {
    const store = await open();
    const appended = store.append('log', { n: 1 });
    const created = store.create('k', { v: 1 });
    await store.close();
    expect(readFileSync(path.join(dir, 'log.json-seq'), 'utf8')).toBe('\u001e{"n":1}\n');
    expect(onDisk('k')).toEqual({ v: 1 });
    await expect(Promise.all([appended, created])).resolves.toEqual([undefined, expect.any(String)]);
    await expect(store.get('k')).rejects.toThrow('The file store was closed');
    await expect(store.append('log', { n: 2 })).rejects.toThrow('The file store was closed');
  });
});

describe('FileStateStore records kept in memory', () => {
  it('answers a read with the write asked for before it, even while that write is under way', async () => {
    const store = await open();
    const created = store.create('k', { n: 1 });
    expect((await store.get('k'))?.value).toEqual({ n: 1 });
    const updated = store.update('k', { n: 2 }, await created);
    expect((await store.get('k'))?.value).toEqual({ n: 2 });
    await updated;
    const removing = store.delete('k');
    expect(await store.get('k')).toBeUndefined();
    await removing;
  });

  it('lists the keys and logs whose writes were asked for before the listing', async () => {
    const store = await open();
    const writing = [store.create('run/1', {}), store.append('audit/1', {})];
    expect(await store.list('run/')).toEqual(['run/1']);
    expect(await store.logs('audit/')).toEqual(['audit/1']);
    const appended = store.append('audit/1', { n: 2 });
    expect(await store.readLog('audit/1')).toEqual([{}, { n: 2 }]);
    await Promise.all([...writing, appended]);
  });

  it('hands every reader its own copy, so a caller changing a value changes nothing stored', async () => {
    const store = await open();
    await store.create('k', { list: [1] });
    const first = await store.get<{ list: number[] }>('k');
    first?.value.list.push(2);
    expect((await store.get('k'))?.value).toEqual({ list: [1] });
  });

  it('reads from disk again once a key has left memory', async () => {
    const store = await open({ recentRecords: 2 });
    await store.create('a', { v: 'a' });
    await store.create('b', { v: 'b' });
    await store.create('c', { v: 'c' });
    expect((await store.get('a'))?.value).toEqual({ v: 'a' });
    const eTag = (await store.get('a'))?.eTag ?? '';
    await store.update('a', { v: 'a2' }, eTag);
    expect(onDisk('a')).toEqual({ v: 'a2' });
  });
});

describe('FileStateStore logs', () => {
  it('appends to one file per log instead of a file per entry', async () => {
    const store = await open();
    for (let i = 0; i < 20; i++) await store.append('audit/2026-11-23T08', { i });
    expect(readdirSync(dir)).toEqual(['audit%2F2026-11-23T08.json-seq']);
    expect(ownerOnly(path.join(dir, 'audit%2F2026-11-23T08.json-seq'))).toBe(0o600);
    expect(await store.readLog('audit/2026-11-23T08')).toHaveLength(20);
  });

  it('keeps entries asked for together in the order they were asked for', async () => {
    const store = await open();
    const count = 1000;
    await Promise.all(Array.from({ length: count }, (_, i) => store.append('log', { i })));
    const read = await store.readLog<{ i: number }>('log');
    expect(read.map((e) => e.i)).toEqual(Array.from({ length: count }, (_, i) => i));
  });

  it('skips an entry that a crash cut short and keeps the ones after it', async () => {
    const store = await open();
    await store.append('log', { n: 1 });
    appendFileSync(path.join(dir, 'log.json-seq'), '\u001e{"n":2,"cut');
    await store.append('log', { n: 3 });
    expect(await store.readLog('log')).toEqual([{ n: 1 }, { n: 3 }]);
  });
});
