import pino from 'pino';
import { systemClock } from '../../src/infra/clock';
import type { ConversationAddress } from '../../src/domain/conversation';
import { slotOf, TeamsSendLimiter, type SendLimiter } from '../../src/teams/send-limiter';
import { WindowLog, type RateWindow } from '../../src/infra/rate-window';
import { TEAMS_SEND_LIMITS } from '../../src/teams/send-windows';
import { ProgressPublisher } from '../../src/features/bulk/progress-publisher';
import { ConversationDirectory } from '../../src/features/notify/conversation-directory';
import { remediationFor } from '../../src/domain/actions/registry';
import type { DetectedFailure } from '../../src/domain/failures/failure';
import { FailureLedger } from '../../src/features/notify/failure-ledger';
import { FailureNotifier } from '../../src/features/notify/notifier';
import { NotificationSender } from '../../src/features/notify/sender';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { channelAddress } from './channel-address';

const logger = pino({ level: 'silent' });
const START = Date.parse('2026-11-22T12:00:00Z');

/** Teams' windows as "Optimize your bot with rate limiting in Teams" lists them, written out independently. */
const PER_CONVERSATION: readonly RateWindow[] = [
  { limit: 7, ms: 1000 },
  { limit: 8, ms: 2000 },
  { limit: 60, ms: 30_000 },
  { limit: 1800, ms: 3_600_000 },
];
const PER_TENANT: readonly RateWindow[] = [{ limit: 50, ms: 1000 }];

/** The system clock, on Jest's simulated timers: Bottleneck's own zero-delay timers run on them too. */
const clock = systemClock;

beforeEach(() => {
  jest.useFakeTimers({ now: START, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
});
afterEach(() => {
  jest.useRealTimers();
});

/** Moves simulated time from timer to timer until `work` settles; no real time passes. */
async function settle<T>(work: Promise<T>): Promise<T> {
  let done = false;
  const watched = work.finally(() => {
    done = true;
  });
  while (!done) {
    if (jest.getTimerCount() > 0) {
      await jest.advanceTimersToNextTimerAsync();
      continue;
    }
    // Store operations and the like settle without timers: let them run before time moves on.
    for (let spins = 0; !done && jest.getTimerCount() === 0; spins++) {
      if (spins > 100_000)
        throw new Error('Simulated time is stuck: no timer left and the work has not settled');
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return watched;
}

/** Every window some `limit + 1` sends in a row fall into, named; empty when all hold. */
function overruns(times: readonly number[], windows: readonly RateWindow[]): string[] {
  const sorted = [...times].sort((a, b) => a - b);
  const found: string[] = [];
  for (const w of windows) {
    for (let i = 0; i + w.limit < sorted.length; i++) {
      const first = sorted[i] ?? 0;
      const last = sorted[i + w.limit] ?? 0;
      if (last - first < w.ms) {
        found.push(`${w.limit + 1} sends within ${w.ms} ms, from +${first - START} ms`);
        break;
      }
    }
  }
  return found;
}

/** Records the simulated time of every request that reaches "Teams", per conversation. */
class Recorder {
  readonly at = new Map<string, number[]>();
  readonly order: string[] = [];

  record(conversationId: string, what: string): void {
    const key = conversationId.split(';')[0] ?? conversationId;
    this.at.set(key, [...(this.at.get(key) ?? []), Date.now()]);
    this.order.push(what);
  }

  times(conversationId: string): number[] {
    return this.at.get(conversationId) ?? [];
  }
}

describe('sliding windows', () => {
  it('are the documented ones', () => {
    expect(TEAMS_SEND_LIMITS).toEqual({ perConversation: PER_CONVERSATION, perTenant: PER_TENANT });
  });

  it.each([
    ['nothing sent yet', [], 0, 1, 0],
    ['six in the last second: a seventh goes now', [0, 0, 0, 0, 0, 0], 0, 1, 0],
    [
      'seven in the last second: the eighth waits for the first to leave',
      [0, 0, 0, 0, 0, 0, 0],
      500,
      1,
      1000,
    ],
    [
      'eight in two seconds: the ninth waits for the two-second window',
      [0, 0, 0, 0, 0, 0, 0, 1000],
      1500,
      1,
      2000,
    ],
    ['two together need two free places', [0, 0, 0, 0, 0, 0], 0, 2, 1000],
    ['a booking made for later keeps its place', [5000], 0, 1, 5000],
    ['entries older than every window no longer count', [0, 0, 0, 0, 0, 0, 0], 3_600_000, 1, 3_600_000],
  ])('%s', (_name, booked, now, count, expected) => {
    const log = new WindowLog(PER_CONVERSATION);
    for (const t of booked) log.book(t);
    expect(log.earliest(now, count)).toBe(expected);
  });

  it('holds 60 in 30 s and 1,800 in an hour when sends never stop', () => {
    const log = new WindowLog(PER_CONVERSATION);
    const times: number[] = [];
    let now = 0;
    for (let i = 0; i < 2000; i++) {
      now = log.earliest(now);
      log.book(now);
      times.push(now + START);
    }
    expect(overruns(times, PER_CONVERSATION)).toEqual([]);
    expect(times.filter((t) => t < START + 3_600_000)).toHaveLength(1800);
    expect(times.filter((t) => t < START + 30_000)).toHaveLength(60);
  });
});

describe('the send limiter', () => {
  function limitedSend(limiter: SendLimiter, recorder: Recorder, address: ConversationAddress, what: string) {
    return limiter.schedule(slotOf(address, 'background'), async () =>
      recorder.record(address.conversationId, what),
    );
  }

  it('gives a person waiting for a card the next slot ahead of queued notifications', async () => {
    const limiter = new TeamsSendLimiter(clock);
    const recorder = new Recorder();
    const channel = channelAddress('19:c@thread.tacv2');
    const sends = Array.from({ length: 30 }, (_, i) =>
      limitedSend(limiter, recorder, channel, `notice ${i}`),
    );
    await jest.advanceTimersByTimeAsync(100);
    expect(recorder.order).toHaveLength(7);
    const reply = limiter.schedule(slotOf(channel, 'interactive'), async () =>
      recorder.record(channel.conversationId, 'reply'),
    );
    await settle(Promise.all([...sends, reply]));
    expect(recorder.order.indexOf('reply')).toBe(7);
    expect(overruns(recorder.times('19:c@thread.tacv2'), PER_CONVERSATION)).toEqual([]);
  });

  it('sends at once, with no timer, while the conversation has room and nothing queues', async () => {
    const limiter = new TeamsSendLimiter(clock);
    const recorder = new Recorder();
    const chat = channelAddress('19:quiet@thread.tacv2');
    const microtasks = async () => {
      for (let i = 0; i < 20; i++) await Promise.resolve();
    };
    for (let i = 0; i < 7; i++) {
      const sent = limitedSend(limiter, recorder, chat, `reply ${i}`);
      await microtasks();
      expect(recorder.order).toHaveLength(i + 1);
      await sent;
    }
    const eighth = limitedSend(limiter, recorder, chat, 'reply 7');
    await microtasks();
    expect(recorder.order).toHaveLength(7);
    await settle(eighth);
    expect(recorder.times('19:quiet@thread.tacv2')).toEqual([...Array<number>(7).fill(START), START + 1000]);
  });

  it('keeps a tenant at 50 a second across its conversations, and each at its own limits', async () => {
    const limiter = new TeamsSendLimiter(clock);
    const recorder = new Recorder();
    const ids = Array.from({ length: 40 }, (_, i) => `19:c${i}@thread.tacv2`);
    const other = channelAddress('19:elsewhere@thread.tacv2', 'other-tenant');
    const work = ids.flatMap((id) =>
      Array.from({ length: 6 }, (_, n) =>
        limitedSend(limiter, recorder, channelAddress(id, 't'), `${id} ${n}`),
      ),
    );
    work.push(limitedSend(limiter, recorder, other, 'other tenant'));
    await settle(Promise.all(work));
    const all = ids.flatMap((id) => recorder.times(id));
    expect(all).toHaveLength(240);
    expect(overruns(all, PER_TENANT)).toEqual([]);
    for (const id of ids) expect(overruns(recorder.times(id), PER_CONVERSATION)).toEqual([]);
    // Bottleneck's own zero-delay yields cost a millisecond each on the simulated timers, no more.
    expect(recorder.times('19:elsewhere@thread.tacv2')[0]).toBeLessThan(START + 20);
  });
});

function failure(i: number): DetectedFailure {
  return {
    kind: 'user-provisioning',
    objectId: `u${i}`,
    objectLabel: `User ${i}`,
    errorCode: 'ProvisioningError/exchange',
    errorMessage: 'Proxy address conflict',
    occurredAt: '2026-11-22T11:00:00.000Z',
    remediation: remediationFor('user-provisioning', { target: `u${i}` }),
  };
}

describe('2,000 failures found in one scan for one channel', () => {
  async function scan(digestThreshold: number) {
    const store = new MemoryStateStore();
    const directory = new ConversationDirectory(store, clock);
    const limiter = new TeamsSendLimiter(clock);
    const recorder = new Recorder();
    const sender = new NotificationSender({
      // As ConnectorMessenger sends a notification: through the one limiter, behind interactive cards.
      channel: {
        sendProactive: (address) =>
          limiter.schedule(slotOf(address, 'background'), async () => {
            recorder.record(address.conversationId, 'card');
            return 'id';
          }),
      },
      clock,
      logger,
      gate: {
        beforeSend: async () => 'go',
        delivered: async () => undefined,
        refused: async () => undefined,
      },
    });
    const notifier = new FailureNotifier({
      ledger: new FailureLedger(store),
      directory,
      sender,
      clock,
      logger,
      digestThreshold,
    });
    await directory.subscribe(
      channelAddress('19:ops@thread.tacv2;messageid=1'),
      ['user-provisioning'],
      'Ada',
    );
    const observed = Array.from({ length: 2000 }, (_, i) => ({
      failure: failure(i),
      nature: 'state' as const,
    }));
    const report = await settle(notifier.notify(observed, { source: 'monitor' }));
    return { report, times: recorder.times('19:ops@thread.tacv2') };
  }

  it('as digests: every card arrives and no window is exceeded', async () => {
    const { report, times } = await scan(5);
    expect(report).toMatchObject({ failures: 2000, posted: 2000, undelivered: 0 });
    expect(times.length).toBe(report.cards);
    expect(times.length).toBeGreaterThan(60);
    expect(overruns(times, PER_CONVERSATION)).toEqual([]);
  });

  it('as one card each (a high NOTIFY_DIGEST_THRESHOLD): the hour window holds too', async () => {
    const { report, times } = await scan(5000);
    expect(report).toMatchObject({ posted: 2000, cards: 2000, undelivered: 0 });
    expect(overruns(times, PER_CONVERSATION)).toEqual([]);
    expect(times.filter((t) => t < START + 3_600_000)).toHaveLength(1800);
  });
});

describe('two bulk runs in one channel', () => {
  it('publish progress, summaries and replies within every window, for more than an hour', async () => {
    const limiter = new TeamsSendLimiter(clock);
    const recorder = new Recorder();
    const channel = channelAddress('19:ops@thread.tacv2;messageid=7');
    // As RetryingMessenger → ConnectorMessenger publishes a run: card updates and the reply, interactive.
    const update = (run: string) => () =>
      limiter.schedule(slotOf(channel, 'interactive'), async () =>
        recorder.record(channel.conversationId, run),
      );
    const run = async (name: string, items: number) => {
      const publisher = new ProgressPublisher(clock, update(`${name} progress`));
      for (let i = 0; i < items; i++) {
        await clock.sleep(1000);
        publisher.changed();
      }
      await publisher.finish(update(`${name} summary`));
      await update(`${name} reply`)();
    };
    await settle(Promise.all([run('first', 2 * 3600), run('second', 2 * 3600 + 600)]));
    const times = recorder.times('19:ops@thread.tacv2');
    expect(overruns(times, PER_CONVERSATION)).toEqual([]);
    expect(recorder.order.filter((o) => o.endsWith('summary') || o.endsWith('reply'))).toEqual([
      'first summary',
      'first reply',
      'second summary',
      'second reply',
    ]);
    expect(recorder.order.filter((o) => o === 'second progress').length).toBeGreaterThan(600);
  });
});
