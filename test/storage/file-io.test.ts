import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FileIo } from '../../src/storage/file-io';

const CRASHING_WORKER = path.join(__dirname, 'fixtures/crashing-io-worker.mjs');
const COUNTING_WORKER = path.join(__dirname, 'fixtures/counting-io-worker.mjs');

let dir: string;
let io: FileIo;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'file-io-'));
});
afterEach(async () => {
  await io.close();
  rmSync(dir, { recursive: true, force: true });
});

const at = (name: string) => path.join(dir, name);

describe('FileIo', () => {
  it('writes atomically, owner-only, and leaves no temporary file behind', async () => {
    io = new FileIo();
    await io.write(at('a.json'), at('a.json.1.tmp'), '{"v":1}');
    await io.write(at('a.json'), at('a.json.2.tmp'), '{"v":2}');
    expect(readFileSync(at('a.json'), 'utf8')).toBe('{"v":2}');
    expect(statSync(at('a.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('reads a missing file as undefined and an existing one as its text', async () => {
    io = new FileIo();
    expect(await io.read(at('missing.json'))).toBeUndefined();
    await io.write(at('b.json'), at('b.tmp'), 'text');
    expect(await io.read(at('b.json'))).toBe('text');
  });

  it('creates only once: a second create of the same file reports it taken and keeps the first', async () => {
    io = new FileIo();
    const [first, second] = await Promise.all([
      io.create(at('c.json'), at('c.1.tmp'), 'first'),
      io.create(at('c.json'), at('c.2.tmp'), 'second'),
    ]);
    expect([first, second]).toEqual([true, false]);
    expect(readFileSync(at('c.json'), 'utf8')).toBe('first');
    expect(readdirSync(dir)).toEqual(['c.json']);
  });

  it('runs operations asked for together in the order they were asked', async () => {
    io = new FileIo();
    const results = await Promise.all([
      io.write(at('d.json'), at('d.1.tmp'), 'one'),
      io.read(at('d.json')),
      io.write(at('d.json'), at('d.2.tmp'), 'two'),
      io.read(at('d.json')),
      io.remove(at('d.json')),
      io.read(at('d.json')),
      io.list(dir),
    ]);
    expect(results).toEqual([undefined, 'one', undefined, 'two', undefined, undefined, []]);
  });

  it('fails an operation with the system error code and cleans up its temporary file', async () => {
    io = new FileIo();
    const into = path.join(dir, 'no-such-dir', 'e.json');
    await expect(io.write(into, at('e.tmp'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(io.list(path.join(dir, 'no-such-dir'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(existsSync(at('e.tmp'))).toBe(false);
    expect(await io.read(at('e.tmp'))).toBeUndefined();
  });

  it('fails what the thread had in hand when it dies, and starts a new thread for the next operation', async () => {
    io = new FileIo({ workerScript: CRASHING_WORKER });
    await io.write(at('f.json'), at('f.tmp'), 'kept');
    await expect(io.read(at('crash'))).rejects.toThrow(/I\/O thread stopped.*code 3/);
    expect(await io.read(at('f.json'))).toBe('kept');
  });

  it('sends what was asked for while a batch was in hand to a new thread when that thread dies', async () => {
    io = new FileIo({ workerScript: CRASHING_WORKER });
    await io.write(at('h.json'), at('h.tmp'), 'kept');
    const crashed = io.read(at('crash'));
    // The crashing batch has been handed over; these wait for the thread to answer it, which it never does.
    await new Promise((resolve) => setImmediate(resolve));
    const meanwhile = [io.read(at('h.json')), io.write(at('i.json'), at('i.tmp'), 'after')];
    await expect(crashed).rejects.toThrow(/I\/O thread stopped.*code 3/);
    await expect(Promise.all(meanwhile)).resolves.toEqual(['kept', undefined]);
    expect(readFileSync(at('i.json'), 'utf8')).toBe('after');
  });

  it('sends what the callers of an answered batch ask for next with what waited meanwhile, in one message', async () => {
    const log = at('batches.log');
    io = new FileIo({ workerScript: COUNTING_WORKER });
    const save = async (name: string) => {
      await io.create(at(`${name}.json`), at(`${name}.tmp`), name);
      await io.append(at('audit.json-seq'), `${name}\n`);
    };
    const first = save('a');
    await new Promise((resolve) => setImmediate(resolve));
    const second = save('b');
    await Promise.all([first, second]);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(['create', 'create,append', 'append']);
    expect(readFileSync(at('audit.json-seq'), 'utf8')).toBe('a\nb\n');
  });

  it('refuses operations once closed', async () => {
    io = new FileIo();
    await io.write(at('g.json'), at('g.tmp'), 'x');
    await io.close();
    await expect(io.read(at('g.json'))).rejects.toThrow('The file store was closed');
  });
});
