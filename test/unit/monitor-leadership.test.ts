import pino from 'pino';
import type { PagingGraphApi } from '../../src/infra/graph/graph-api';
import type { Detector } from '../../src/domain/failures/detector';
import { FailureLedger } from '../../src/features/notify/failure-ledger';
import { FailureMonitor } from '../../src/features/notify/monitor';
import type { FailureNotifier } from '../../src/features/notify/notifier';
import type { Leadership } from '../../src/infra/storage/leadership';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { ManualClock } from '../fakes/manual-clock';

describe('failure monitor leadership', () => {
  it.each([
    ['leads', [true, true], 2],
    ['does not lead', [false, false], 0],
    ['takes over after the holder is gone', [false, true], 1],
  ])('scans only while this instance %s', async (_name, answers, expectedScans) => {
    const clock = new ManualClock(Date.parse('2026-11-22T12:00:00Z'));
    let scans = 0;
    const detector: Detector = {
      kind: 'license',
      nature: 'state',
      detect: async () => {
        scans += 1;
        return { failures: [] };
      },
    };
    const queue = [...answers];
    const leadership: Leadership = {
      ensure: async () => queue.shift() ?? false,
      release: async () => undefined,
    };
    const notifier = {
      notify: async () => ({ posted: 0, digests: 0, skipped: 0 }),
    } as unknown as FailureNotifier;
    const monitor = new FailureMonitor({
      graph: {} as PagingGraphApi,
      notifier,
      ledger: new FailureLedger(new MemoryStateStore()),
      clock,
      logger: pino({ level: 'silent' }),
      detectors: [detector],
      leadership,
    });
    monitor.start(60_000);
    for (let i = 0; i < answers.length; i++) {
      clock.fire();
      await new Promise((resolve) => setImmediate(resolve));
      await monitor.stop();
      monitor.start(60_000);
    }
    await monitor.stop();
    expect(queue).toEqual([]);
    expect(scans).toBe(expectedScans);
  });
});
