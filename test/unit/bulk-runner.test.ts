import pino from 'pino';
import type { GraphRequest, RemediationAction } from '../../src/domain/actions/action';
import { defaultRegistry } from '../../src/domain/actions/registry';
import { BulkRunner, type RunToken } from '../../src/features/bulk/bulk-runner';
import { countStates, settleInterrupted } from '../../src/features/bulk/item-states';
import {
  BulkStore,
  CHUNK_SIZE,
  type BulkRunRecord,
  type ChunkRecord,
} from '../../src/features/bulk/bulk-store';
import type { BulkItem } from '../../src/domain/remediation/bulk-target';
import type { Clock } from '../../src/infra/clock';
import type { CallOptions, GraphApi, GraphResult } from '../../src/infra/graph/graph-api';
import { GraphFailure } from '../../src/infra/graph/graph-failure';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { ManualClock } from '../fakes/manual-clock';

interface BatchCall {
  version: string;
  ids: string[];
  urls: string[];
}

type ItemAnswer = { status: number; headers?: Record<string, string>; body?: unknown };

/** A Graph that answers $batch requests from a function per item, recording each batch. */
class BatchGraph implements GraphApi {
  readonly batches: BatchCall[] = [];
  envelope: ((call: BatchCall) => Promise<void> | void) | undefined;

  constructor(private readonly item: (url: string, call: BatchCall) => ItemAnswer) {}

  async get<T>(): Promise<T> {
    throw new Error('not used');
  }

  async list<T>(): Promise<T[]> {
    throw new Error('not used');
  }

  async post<T>(path: string, body: unknown, options?: CallOptions): Promise<GraphResult<T>> {
    expect(path).toBe('/$batch');
    const requests = (body as { requests: Array<{ id: string; url: string }> }).requests;
    const call = {
      version: options?.version ?? 'v1.0',
      ids: requests.map((r) => r.id),
      urls: requests.map((r) => r.url),
    };
    this.batches.push(call);
    await this.envelope?.(call);
    const responses = requests.map((r) => ({ id: r.id, ...this.item(r.url, call) })).reverse();
    return { status: 200, body: { responses } as T, requestId: 'env', date: undefined };
  }
}

const registry = defaultRegistry(new ManualClock(Date.parse('2026-11-22T12:00:00Z')));
const retry = registry.find('retry-provisioning') as RemediationAction;
const logger = pino({ level: 'silent' });
const token: RunToken = { fresh: async () => 'token', invalidate: () => undefined };

function items(n: number): BulkItem[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `user-${i}`,
    label: `User ${i}`,
    target: { user: { id: `user-${i}`, displayName: `User ${i}` }, unresolvedErrors: 1 },
  }));
}

async function setUp(n: number) {
  return setUpIn(new BulkStore(new MemoryStateStore()), n);
}

async function setUpIn<S extends BulkStore>(store: S, n: number) {
  const run: BulkRunRecord = {
    id: 'run',
    action: retry.name,
    total: n,
    chunks: Math.ceil(n / CHUNK_SIZE),
    state: 'running',
    address: {
      serviceUrl: 'http://x',
      channelId: 'msteams',
      conversationId: 'c',
      conversationType: 'channel',
      tenantId: 't',
      botId: 'b',
      botName: 'bot',
    },
    approver: { aadObjectId: 'a', name: 'Ada', tenantId: 't' },
    heartbeatAt: '2026-11-22T12:00:00Z',
    startedAt: '2026-11-22T12:00:00Z',
  };
  await store.create(run);
  return { store, chunks: await store.chunks('run', run.chunks) };
}

/**
 * Graph with a budget per window of the test clock (a new window whenever the clock moved): past it an item is
 * answered 429 with Retry-After 1; `unavailable` users are answered 503 with Retry-After 1 the first time. Records
 * when each batch arrived and with which users, and each user's writes that ran.
 */
class WindowGraph extends BatchGraph {
  readonly calls = new Map<string, number>();
  readonly arrivals: Array<{ at: number; users: string[] }> = [];
  private windowAt = Number.NaN;
  private used = 0;
  private readonly refused = new Set<string>();

  constructor(clock: ManualClock, budget: number, unavailable: readonly string[] = []) {
    super((url) => {
      const user = userOf(url);
      if (unavailable.includes(user) && !this.refused.has(user)) {
        this.refused.add(user);
        return { status: 503, headers: { 'retry-after': '1' } };
      }
      if (this.used >= budget) return { status: 429, headers: { 'retry-after': '1' } };
      this.used++;
      this.calls.set(user, (this.calls.get(user) ?? 0) + 1);
      return { status: 204 };
    });
    this.envelope = async (call) => {
      if (clock.now() !== this.windowAt) {
        this.windowAt = clock.now();
        this.used = 0;
      }
      this.arrivals.push({ at: clock.now(), users: call.urls.map(userOf) });
      await Promise.resolve();
    };
  }
}

function runner(
  store: BulkStore,
  chunks: ChunkRecord[],
  graph: GraphApi,
  clock: Clock,
  list: BulkItem[],
  options: { concurrency?: number; action?: RemediationAction; token?: RunToken } = {},
) {
  return new BulkRunner(
    {
      runId: 'run',
      store,
      clock,
      action: options.action ?? retry,
      items: list,
      graph,
      token: options.token ?? token,
      concurrency: options.concurrency ?? 3,
      approverName: 'Ada',
      logger,
    },
    chunks,
  );
}

function userOf(url: string): string {
  return /\/users\/([^/]+)\//.exec(url)?.[1] ?? '?';
}

describe('BulkRunner', () => {
  it('sends batches of at most 20 items, matches answers by id and records every outcome', async () => {
    const { store, chunks } = await setUp(45);
    const graph = new BatchGraph((url) =>
      userOf(url) === 'user-7'
        ? { status: 404, body: { error: { code: 'Request_ResourceNotFound', message: 'gone' } } }
        : { status: 204 },
    );
    const r = runner(store, chunks, graph, new ManualClock(1_000_000), items(45));
    expect(await r.run()).toEqual({ kind: 'finished' });
    expect(graph.batches.map((b) => b.ids.length).sort((a, b) => b - a)).toEqual([20, 20, 5]);
    expect(countStates(r.states())).toEqual({
      total: 45,
      succeeded: 44,
      failed: 1,
      unknown: 0,
      remaining: 0,
    });
    const stored = await store.chunks('run', 3);
    expect(countStates(stored)).toEqual(countStates(r.states()));
    const failed = stored[0]?.items[7];
    expect(failed).toMatchObject({
      s: 'done',
      outcome: 'failed',
      status: 404,
      code: 'Request_ResourceNotFound',
    });
  });

  it('puts a throttled item back, waits Retry-After for every worker, and sends it again', async () => {
    const { store, chunks } = await setUp(30);
    const clock = new ManualClock(1_000_000);
    const seen = new Map<string, number>();
    const graph = new BatchGraph((url) => {
      const user = userOf(url);
      const n = (seen.get(user) ?? 0) + 1;
      seen.set(user, n);
      return user === 'user-3' && n === 1
        ? { status: 429, headers: { 'Retry-After': '7' } }
        : { status: 204 };
    });
    const r = runner(store, chunks, graph, clock, items(30));
    await r.run();
    expect(countStates(r.states()).succeeded).toBe(30);
    expect(seen.get('user-3')).toBe(2);
    expect(clock.sleeps).toContain(7000);
    expect([...seen.values()].filter((n) => n > 1)).toHaveLength(1);
  });

  it('gives an item up as failed when Graph throttles it more than allowed', async () => {
    const { store, chunks } = await setUp(1);
    const graph = new BatchGraph(() => ({ status: 429, headers: { 'retry-after': '1' } }));
    const r = runner(store, chunks, graph, new ManualClock(1_000_000), items(1));
    await r.run();
    expect(graph.batches).toHaveLength(11);
    expect(r.states()[0]?.items[0]).toMatchObject({ s: 'done', outcome: 'failed', status: 429 });
  });

  it('treats a batch that got no answer as unknown, never sending its items again', async () => {
    const { store, chunks } = await setUp(25);
    const graph = new BatchGraph(() => ({ status: 204 }));
    graph.envelope = (call) => {
      if (call.ids.includes('0'))
        throw new GraphFailure(0, 'NetworkError', 'socket hang up', undefined, undefined);
    };
    const r = runner(store, chunks, graph, new ManualClock(1_000_000), items(25));
    await r.run();
    expect(countStates(r.states())).toEqual({
      total: 25,
      succeeded: 5,
      failed: 0,
      unknown: 20,
      remaining: 0,
    });
    expect(graph.batches).toHaveLength(2);
  });

  it.each([500, 502, 504])(
    'reports an item answered %i as unknown (it may have run), never sending it again',
    async (status) => {
      const { store, chunks } = await setUp(3);
      const graph = new BatchGraph((url) =>
        userOf(url) === 'user-1'
          ? { status, body: { error: { code: 'ServiceError', message: 'Something went wrong.' } } }
          : { status: 204 },
      );
      const r = runner(store, chunks, graph, new ManualClock(1_000_000), items(3));
      await r.run();
      expect(countStates(r.states())).toEqual({
        total: 3,
        succeeded: 2,
        failed: 0,
        unknown: 1,
        remaining: 0,
      });
      expect(r.states()[0]?.items[1]).toEqual({
        s: 'unknown',
        summary: expect.stringMatching(new RegExp(`answered ${status}.*may or may not have been made`)),
      });
      expect(graph.batches).toHaveLength(1);
    },
  );

  it('renews the token after a 401 on the batch and sends the same items again (nothing ran)', async () => {
    const { store, chunks } = await setUp(3);
    let invalidated = 0;
    const graph = new BatchGraph(() => ({ status: 204 }));
    graph.envelope = () => {
      if (graph.batches.length === 1)
        throw new GraphFailure(401, 'InvalidAuthenticationToken', 'expired', undefined, undefined);
    };
    const r = runner(store, chunks, graph, new ManualClock(1_000_000), items(3), {
      token: { fresh: async () => 't', invalidate: () => invalidated++ },
    });
    expect(await r.run()).toEqual({ kind: 'finished' });
    expect(invalidated).toBe(1);
    expect(countStates(r.states()).succeeded).toBe(3);
  });

  it('pauses (sending nothing more) when the approver’s token cannot be renewed', async () => {
    const { store, chunks } = await setUp(3);
    const graph = new BatchGraph(() => ({ status: 204 }));
    const expired = Object.assign(new Error('AADSTS500133'), { kind: 'expired' });
    const r = runner(store, chunks, graph, new ManualClock(1_000_000), items(3), {
      token: { fresh: async () => Promise.reject(expired), invalidate: () => undefined },
    });
    const end = await r.run();
    expect(end.kind).toBe('paused');
    expect(graph.batches).toHaveLength(0);
    expect(countStates(r.states()).remaining).toBe(3);
  });

  it('after a crash mid-batch, a new runner settles the in-flight items as unknown and sends only the rest', async () => {
    const { store, chunks } = await setUp(45);
    const sent = new Map<string, number>();
    const count = (url: string) => sent.set(userOf(url), (sent.get(userOf(url)) ?? 0) + 1);
    const graph = new BatchGraph((url) => {
      count(url);
      return { status: 204 };
    });
    let batches = 0;
    graph.envelope = () => (++batches === 2 ? new Promise<void>(() => undefined) : undefined);
    const first = runner(store, chunks, graph, new ManualClock(1_000_000), items(45), { concurrency: 1 });
    void first.run();
    for (let i = 0; i < 50 && graph.batches.length < 2; i++) await new Promise((r) => setImmediate(r));
    expect(graph.batches).toHaveLength(2);

    // The process is gone: a new one loads the store, as BulkService.resume does.
    const stored = await store.chunks('run', 3);
    const settled = stored.map((c) => settleInterrupted(c) ?? c);
    expect(countStates(settled)).toEqual({ total: 45, succeeded: 20, failed: 0, unknown: 20, remaining: 5 });
    const graph2 = new BatchGraph((url) => {
      count(url);
      return { status: 204 };
    });
    const second = runner(store, settled, graph2, new ManualClock(1_000_000), items(45));
    await second.run();
    expect(graph2.batches).toHaveLength(1);
    expect(graph2.batches[0]?.ids).toHaveLength(5);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    expect(sent.size).toBe(25);
    expect(countStates(second.states())).toEqual({
      total: 45,
      succeeded: 25,
      failed: 0,
      unknown: 20,
      remaining: 0,
    });
  });

  it('never mixes Graph versions in one batch', async () => {
    const { store, chunks } = await setUp(4);
    const mixed: RemediationAction = {
      ...retry,
      request: (t: unknown): GraphRequest => {
        const id = (t as { user: { id: string } }).user.id;
        return { method: 'POST', url: `/users/${id}/x`, version: Number(id.slice(5)) % 2 ? 'beta' : 'v1.0' };
      },
    };
    const graph = new BatchGraph(() => ({ status: 204 }));
    await runner(store, chunks, graph, new ManualClock(1_000_000), items(4), { action: mixed }).run();
    expect(graph.batches).toHaveLength(2);
    for (const b of graph.batches) {
      expect(new Set(b.urls.map((u) => (Number(userOf(u).slice(5)) % 2 ? 'beta' : 'v1.0')))).toEqual(
        new Set([b.version]),
      );
    }
  });

  it('paces a rate-limited call (provisionOnDemand: 5 per 10 s) without waiting for 429s', async () => {
    const pod = registry.find('provision-on-demand') as RemediationAction;
    const { store, chunks } = await setUp(12);
    const clock = new ManualClock(1_000_000);
    const times: number[] = [];
    const graph = new BatchGraph(() => {
      times.push(clock.now());
      return { status: 200, body: { key: '{"result":"Success"}', value: '{}' } };
    });
    const list = items(12).map((i) => ({
      ...i,
      target: { user: { id: i.id }, servicePrincipal: { id: 'sp' }, jobId: 'job', ruleId: 'rule' },
    }));
    await runner(store, chunks, graph, clock, list, { action: pod }).run();
    expect(times).toHaveLength(12);
    for (const t of times)
      expect(times.filter((x) => x >= t && x < t + 10_000).length).toBeLessThanOrEqual(5);
    expect(graph.batches.every((b) => b.ids.length <= 5)).toBe(true);
  });

  it('holds only the item Graph answered 503: the others go before its Retry-After, it goes after', async () => {
    const { store, chunks } = await setUp(100);
    const clock = new ManualClock(1_000_000, 'hold');
    const sends = new Map<string, number[]>();
    const graph = new BatchGraph((url) => {
      const user = userOf(url);
      sends.set(user, [...(sends.get(user) ?? []), clock.now()]);
      return user === 'user-3' && sends.get(user)?.length === 1
        ? { status: 503, headers: { 'Retry-After': '5' } }
        : { status: 204 };
    });
    const r = runner(store, chunks, graph, clock, items(100), { concurrency: 2 });
    expect(await clock.run(r.run())).toEqual({ kind: 'finished' });
    expect(countStates(r.states()).succeeded).toBe(100);
    const [refused, again] = sends.get('user-3') ?? [];
    expect(again).toBe((refused ?? 0) + 5000);
    const others = [...sends].filter(([user]) => user !== 'user-3').map(([, times]) => times);
    expect(others).toHaveLength(99);
    for (const times of others) expect(times).toEqual([expect.any(Number)]);
    expect(Math.max(...others.flat())).toBeLessThan((refused ?? 0) + 5000);
  });

  it('holds every send after a 429 until its Retry-After has passed', async () => {
    const { store, chunks } = await setUp(200);
    const clock = new ManualClock(1_000_000, 'hold');
    let throttledAt: number | undefined;
    const arrivals: Array<{ at: number; afterThrottle: boolean }> = [];
    const graph = new BatchGraph((url) => {
      if (userOf(url) !== 'user-3' || throttledAt !== undefined) return { status: 204 };
      throttledAt = clock.now();
      return { status: 429, headers: { 'Retry-After': '7' } };
    });
    graph.envelope = async () => {
      arrivals.push({ at: clock.now(), afterThrottle: throttledAt !== undefined });
      await Promise.resolve();
    };
    const r = runner(store, chunks, graph, clock, items(200), { concurrency: 3 });
    expect(await clock.run(r.run())).toEqual({ kind: 'finished' });
    expect(countStates(r.states()).succeeded).toBe(200);
    const after = arrivals.filter((a) => a.afterThrottle);
    // Up to two batches (the other workers') were already on their way when the 429 came back; the rest waited.
    expect(after.length).toBeGreaterThan(5);
    expect(after.filter((a) => a.at < (throttledAt ?? 0) + 7000).length).toBeLessThanOrEqual(2);
    expect(after.filter((a) => a.at >= (throttledAt ?? 0) + 7000).length).toBeGreaterThan(0);
  });

  it('sends items put back after a 429 or a 503 in full batches with the rest', async () => {
    const { store, chunks } = await setUp(200);
    const clock = new ManualClock(1_000_000, 'hold');
    const graph = new WindowGraph(clock, 50, ['user-3', 'user-47', 'user-111']);
    const r = runner(store, chunks, graph, clock, items(200), { concurrency: 1 });
    expect(await clock.run(r.run())).toEqual({ kind: 'finished' });
    expect(countStates(r.states()).succeeded).toBe(200);
    expect(graph.calls.size).toBe(200);
    expect([...graph.calls.values()].every((n) => n === 1)).toBe(true);
    const sizes = graph.arrivals.map((a) => a.users.length);
    expect(sizes.slice(0, -1).every((n) => n === 20)).toBe(true);
    for (const user of ['user-3', 'user-47', 'user-111']) {
      const carried = graph.arrivals.filter((a) => a.users.includes(user));
      expect(carried).toHaveLength(2);
      expect(carried[1]?.users).toHaveLength(20);
    }
  });

  it('does not send a batch Graph throttled another worker while it was being marked sent', async () => {
    const clock = new ManualClock(1_000_000, 'hold');
    let releaseMark: () => void = () => undefined;
    let markStarted: () => void = () => undefined;
    const marking = new Promise<void>((resolve) => (markStarted = resolve));
    class SlowStore extends BulkStore {
      private held = false;
      override async saveChunk(id: string, chunk: ChunkRecord): Promise<void> {
        if (chunk.index === 1 && !this.held) {
          this.held = true;
          markStarted();
          await new Promise<void>((resolve) => (releaseMark = resolve));
        }
        if (chunk.index === 0 && chunk.items.some((i) => i.s === 'pending')) releaseMark();
        return super.saveChunk(id, chunk);
      }
    }
    const store = new SlowStore(new MemoryStateStore());
    const { chunks } = await setUpIn(store, 40);
    let throttled = false;
    const sentSecond: boolean[] = [];
    const graph = new BatchGraph((_url, call) => {
      if (Number(call.ids[0]) < 20 && !throttled) {
        throttled = true;
        return { status: 429, headers: { 'Retry-After': '5' } };
      }
      return { status: 204 };
    });
    graph.envelope = async (call) => {
      if (Number(call.ids[0]) >= 20) sentSecond.push(clock.waiting > 0);
      else if (!throttled) await marking;
    };
    const r = runner(store, chunks, graph, clock, items(40), { concurrency: 2 });
    const done = r.run();
    for (let i = 0; i < 200 && clock.waiting === 0; i++) await new Promise((res) => setImmediate(res));
    for (let i = 0; i < 20; i++) await new Promise((res) => setImmediate(res));
    expect(clock.waiting).toBeGreaterThan(0);
    expect(sentSecond).toEqual([]);
    let finished = false;
    void done.then(() => (finished = true));
    for (let i = 0; i < 1000 && !finished; i++) {
      clock.wakeAll();
      await new Promise((res) => setImmediate(res));
    }
    expect(await done).toEqual({ kind: 'finished' });
    expect(sentSecond).toEqual([false]);
    expect(countStates(r.states()).succeeded).toBe(40);
  });

  it('stops sending and rejects when the store refuses an outcome', async () => {
    class FailingStore extends BulkStore {
      override async saveChunk(id: string, chunk: ChunkRecord): Promise<void> {
        if (chunk.items.some((i) => i.s === 'done')) throw new Error('store unavailable');
        return super.saveChunk(id, chunk);
      }
    }
    const store = new FailingStore(new MemoryStateStore());
    const { chunks } = await setUpIn(store, 100);
    const graph = new BatchGraph(() => ({ status: 204 }));
    const r = runner(store, chunks, graph, new ManualClock(1_000_000), items(100), { concurrency: 1 });
    await expect(r.run()).rejects.toThrow('store unavailable');
    expect(graph.batches.length).toBeLessThanOrEqual(2);
  });
});
