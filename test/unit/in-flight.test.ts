import { InFlight } from '../../src/infra/in-flight';

/** Shutdown waits on InFlight.drain(): it must wait for work tracked meanwhile and not trip over a rejection. */
function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

it('drains at once when nothing is tracked', async () => {
  await expect(new InFlight().drain()).resolves.toBeUndefined();
});

it.each([
  ['resolves', (d: ReturnType<typeof deferred>) => d.resolve()],
  ['rejects', (d: ReturnType<typeof deferred>) => d.reject(new Error('boom'))],
])('waits for tracked work that %s, and for work tracked while it waits', async (_how, settle) => {
  const inFlight = new InFlight();
  const first = deferred();
  const second = deferred();
  const order: string[] = [];
  inFlight.track(first.promise.finally(() => order.push('first')));
  const drained = inFlight.drain().then(() => order.push('drained'));
  inFlight.track(second.promise.finally(() => order.push('second')));
  settle(first);
  await Promise.resolve();
  settle(second);
  await drained;
  expect(order).toEqual(['first', 'second', 'drained']);
});
