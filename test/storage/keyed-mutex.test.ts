import { KeyedMutex } from '../../src/infra/storage/keyed-mutex';

/** A promise and the function that resolves it, so a test decides when each piece of work ends. */
function gate(): { opened: Promise<void>; open(): void } {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedMutex', () => {
  it('runs the work on one key one at a time, in the order asked, while another key goes ahead', async () => {
    const mutex = new KeyedMutex();
    const events: string[] = [];
    const first = gate();
    const work = (name: string, until?: Promise<void>) => async () => {
      events.push(`${name} start`);
      await until;
      events.push(`${name} end`);
      return name;
    };
    const running = [
      mutex.runExclusive('a', work('a1', first.opened)),
      mutex.runExclusive('a', work('a2')),
      mutex.runExclusive('b', work('b1')),
    ];
    await settle();
    expect(events).toEqual(['a1 start', 'b1 start', 'b1 end']);
    first.open();
    await expect(Promise.all(running)).resolves.toEqual(['a1', 'a2', 'b1']);
    expect(events.slice(3)).toEqual(['a1 end', 'a2 start', 'a2 end']);
  });

  it('lets the next work on a key run after one that failed, and passes the failure to its caller', async () => {
    const mutex = new KeyedMutex();
    const failed = mutex.runExclusive('a', () => Promise.reject(new Error('disk full')));
    const next = mutex.runExclusive('a', async () => 'ran');
    await expect(failed).rejects.toThrow('disk full');
    await expect(next).resolves.toBe('ran');
  });

  it('holds a mutex only for keys in use', async () => {
    const mutex = new KeyedMutex();
    const held = gate();
    const running = [
      mutex.runExclusive('a', () => held.opened),
      mutex.runExclusive('a', async () => undefined),
      mutex.runExclusive('b', async () => undefined),
    ];
    await settle();
    expect(mutex.size).toBe(1);
    held.open();
    await Promise.all(running);
    expect(mutex.size).toBe(0);
  });
});
