import pino from 'pino';
import type { GraphRequest, RemediationAction } from '../../src/domain/actions/action';
import { defaultRegistry } from '../../src/domain/actions/registry';
import { BulkRunner, countStates, settleInterrupted, type RunToken } from '../../src/bulk/bulk-runner';
import { BulkStore, CHUNK_SIZE, type BulkRunRecord, type ChunkRecord } from '../../src/bulk/bulk-store';
import type { BulkItem } from '../../src/bulk/bulk-target';
import type { Clock } from '../../src/clock';
import type { CallOptions, GraphApi, GraphResult } from '../../src/graph/graph-api';
import { GraphFailure } from '../../src/graph/graph-failure';
import { MemoryStateStore } from '../../src/storage/memory-state-store';
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
 * Graph with a fixed-window budget on the test clock (a new window whenever the clock moved), 429 with
 * Retry-After 1 past it; records, per batch, the window, the items the window had seen and the batches in
 * flight when it arrived.
 */
class WindowGraph extends BatchGraph {
  readonly calls = new Map<string, number>();
  readonly entries: Array<{ window: number; itemsBefore: number; inFlight: number }> = [];
  /** Items answered 429, per window. */
  readonly throttled: number[] = [];
  private windowAt = Number.NaN;
  private window = -1;
  private used = 0;
  private seenInWindow = 0;
  private inFlight = 0;

  constructor(clock: ManualClock, budget: number) {
    super((url) => {
      if (this.used >= budget) {
        this.throttled[this.window] = (this.throttled[this.window] ?? 0) + 1;
        return { status: 429, headers: { 'retry-after': '1' } };
      }
      this.used++;
      this.calls.set(userOf(url), (this.calls.get(userOf(url)) ?? 0) + 1);
      return { status: 204 };
    });
    this.envelope = async (call) => {
      if (clock.now() !== this.windowAt) {
        this.windowAt = clock.now();
        this.window++;
        this.used = 0;
        this.seenInWindow = 0;
      }
      this.entries.push({ window: this.window, itemsBefore: this.seenInWindow, inFlight: this.inFlight });
      this.seenInWindow += call.ids.length;
      this.inFlight++;
      await new Promise((resolve) => setImmediate(resolve));
      this.inFlight--;
    };
  }

  /** Most batches in flight at once in windows before `window`. */
  peakBefore(window: number): number {
    return Math.max(0, ...this.entries.filter((e) => e.window < window).map((e) => e.inFlight + 1));
  }

  /** Most batches in flight at once from `window` on. */
  peakFrom(window: number): number {
    return Math.max(0, ...this.entries.filter((e) => e.window >= window).map((e) => e.inFlight + 1));
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

  it('puts as many batches in flight as Graph accepted in a window and one more, from BULK_CONCURRENCY up to 4×', async () => {
    for (const { concurrency, budget, expected } of [
      { concurrency: 2, budget: 100, expected: 6 },
      { concurrency: 2, budget: 140, expected: 8 },
      { concurrency: 2, budget: 160, expected: 8 },
      { concurrency: 1, budget: 200, expected: 4 },
      { concurrency: 6, budget: 40, expected: 6 },
    ]) {
      const { store, chunks } = await setUp(400);
      const clock = new ManualClock(1_000_000);
      const graph = new WindowGraph(clock, budget);
      const r = runner(store, chunks, graph, clock, items(400), { concurrency });
      expect(await r.run()).toEqual({ kind: 'finished' });
      expect(graph.peakBefore(1)).toBeLessThanOrEqual(concurrency);
      expect(graph.peakFrom(1)).toBe(expected);
      expect(graph.calls.size).toBe(400);
      expect([...graph.calls.values()].every((n) => n === 1)).toBe(true);
    }
  });

  it('sends what Graph accepted in the last opening and one batch more in one burst, so one batch draws the 429', async () => {
    const { store, chunks } = await setUp(400);
    const clock = new ManualClock(1_000_000);
    const graph = new WindowGraph(clock, 100);
    await runner(store, chunks, graph, clock, items(400), { concurrency: 2 }).run();
    const windows = [...new Set(graph.entries.map((e) => e.window))].filter((w) => w >= 1);
    const edge = windows.map((w) => graph.entries.find((e) => e.window === w && e.itemsBefore >= 100));
    const past = windows.map((w) =>
      graph.entries.find((e) => e.window === w && e.itemsBefore >= 100 + CHUNK_SIZE),
    );
    expect(edge.filter((e) => e !== undefined && e.inFlight > 0).length).toBeGreaterThan(0);
    expect(past.every((e) => e === undefined || e.inFlight === 0)).toBe(true);
    const throttledAfterLearning = windows.map((w) => graph.throttled[w] ?? 0);
    expect(Math.max(...throttledAfterLearning)).toBe(CHUNK_SIZE);
    expect([...graph.calls.values()].every((n) => n === 1)).toBe(true);
    expect(graph.calls.size).toBe(400);
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
