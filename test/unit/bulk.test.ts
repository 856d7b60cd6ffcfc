import type { RemediationAction } from '../../src/domain/actions/action';
import { defaultRegistry } from '../../src/domain/actions/registry';
import type { Remediation } from '../../src/domain/remediation/remediation';
import { expandBulk, isBulkRequest, type BulkTarget } from '../../src/domain/remediation/bulk-target';
import { RefreshingToken, sealToken, unsealToken } from '../../src/features/shared/delegated-token';
import { batchBody, sendBatch } from '../../src/features/bulk/json-batch';
import { SlidingWindowLimiter, ThrottleGate } from '../../src/features/bulk/pacing';
import { ProgressPublisher } from '../../src/features/bulk/progress-publisher';
import { bulkConfirmationCard, bulkProgressCard, LISTED_OUTCOMES } from '../../src/features/cards/bulk-cards';
import type { GraphApi, GraphResult } from '../../src/infra/graph/graph-api';
import { GraphFailure } from '../../src/infra/graph/graph-failure';
import { ScriptedGraph, type Call } from './scripted-graph';
import { ManualClock } from '../fakes/manual-clock';

const registry = defaultRegistry(new ManualClock(Date.parse('2026-11-22T12:00:00Z')));
const retry = registry.find('retry-provisioning') as RemediationAction;

describe('JSON batching', () => {
  const request = (id: string) => ({
    id,
    request: {
      method: 'POST' as const,
      url: `/users/${id}/retryServiceProvisioning`,
      version: 'v1.0' as const,
    },
  });

  function graphAnswering(body: unknown): GraphApi & { bodies: unknown[] } {
    const bodies: unknown[] = [];
    return {
      bodies,
      get: () => Promise.reject(new Error('no')),
      list: () => Promise.reject(new Error('no')),
      post: async <T>(_path: string, sent: unknown): Promise<GraphResult<T>> => {
        bodies.push(sent);
        return {
          status: 200,
          body: body as T,
          requestId: 'envelope-rid',
          date: 'Sun, 22 Nov 2026 12:00:00 GMT',
        };
      },
    };
  }

  it('matches responses to requests by id whatever their order, and marks a missing one unknown (0)', async () => {
    const graph = graphAnswering({
      responses: [
        { id: 'b', status: 429, headers: { 'Retry-After': '3' } },
        { id: 'a', status: 204, headers: { 'request-id': 'rid-a' } },
      ],
    });
    const answers = await sendBatch(graph, 'v1.0', [request('a'), request('b'), request('c')]);
    expect(answers.map((a) => [a.id, a.status])).toEqual([
      ['a', 204],
      ['b', 429],
      ['c', 0],
    ]);
    expect(answers[0]?.requestId).toBe('rid-a');
    expect(answers[2]?.requestId).toBe('envelope-rid');
    expect(answers[1]?.headers['retry-after']).toBe('3');
  });

  it('refuses more than 20 requests and a request of another version', async () => {
    const graph = graphAnswering({ responses: [] });
    const many = Array.from({ length: 21 }, (_, i) => request(String(i)));
    await expect(sendBatch(graph, 'v1.0', many)).rejects.toThrow(/1 to 20/);
    const beta = { id: 'x', request: { ...request('x').request, version: 'beta' as const } };
    await expect(sendBatch(graph, 'v1.0', [request('a'), beta])).rejects.toThrow(/another Graph version/);
  });

  it('gives every POST a JSON body and its Content-Type, {} for an action that takes none', () => {
    const body = batchBody([
      request('a'),
      { id: 'b', request: { method: 'POST', url: '/x', version: 'v1.0', body: { parameters: [] } } },
    ]);
    expect(body.requests).toEqual([
      {
        id: 'a',
        method: 'POST',
        url: '/users/a/retryServiceProvisioning',
        headers: { 'Content-Type': 'application/json' },
        body: {},
      },
      {
        id: 'b',
        method: 'POST',
        url: '/x',
        headers: { 'Content-Type': 'application/json' },
        body: { parameters: [] },
      },
    ]);
  });
});

describe('pacing', () => {
  it('one 429 holds every worker until Retry-After has passed', async () => {
    const clock = new ManualClock(0);
    const gate = new ThrottleGate(clock);
    gate.block(5000);
    gate.block(2000);
    await Promise.all([gate.wait(), gate.wait()]);
    expect(clock.now()).toBe(5000);
    await gate.wait();
    expect(clock.now()).toBe(5000);
  });

  it('the sliding window lets at most `limit` requests through per window', async () => {
    const clock = new ManualClock(0);
    const limiter = new SlidingWindowLimiter(clock, 5, 10_000);
    const times: number[] = [];
    for (const n of [3, 2, 4, 1, 5]) {
      await limiter.acquire('job', n);
      for (let i = 0; i < n; i++) times.push(clock.now());
    }
    for (const t of times)
      expect(times.filter((x) => x >= t && x < t + 10_000).length).toBeLessThanOrEqual(5);
    expect(times).toHaveLength(15);
  });
});

describe('the approver’s token during a run', () => {
  it('is exchanged again when it nears expiry, once for concurrent callers', async () => {
    let now = 0;
    let exchanges = 0;
    const token = new RefreshingToken(
      'sso',
      async () => ({ token: `t${++exchanges}`, expiresOn: 3_600_000 }),
      () => now,
      5 * 60_000,
      () => 0,
    );
    expect(await Promise.all([token.fresh(), token.fresh()])).toEqual(['t1', 't1']);
    now = 54 * 60_000;
    expect(await token.fresh()).toBe('t1');
    now = 56 * 60_000;
    expect(await token.fresh()).toBe('t2');
    token.invalidate();
    expect(await token.fresh()).toBe('t3');
  });

  it('starts from the token the approval already got, exchanging only when that one nears expiry', async () => {
    let now = 0;
    let exchanges = 0;
    const token = new RefreshingToken(
      'sso',
      async () => ({ token: `t${++exchanges}`, expiresOn: 7_200_000 }),
      () => now,
      5 * 60_000,
      () => 0,
    );
    token.seed({ token: 'from-approval', expiresOn: 3_600_000 });
    expect(await token.fresh()).toBe('from-approval');
    expect(exchanges).toBe(0);
    now = 56 * 60_000;
    expect(await token.fresh()).toBe('t1');
    token.seed({ token: 'stale', expiresOn: 3_600_000 });
    expect(await token.fresh()).toBe('t1');
  });

  it('is sealed for the store so that only this app and this run can read it back', () => {
    const key = Buffer.from('client-secret');
    const sealed = sealToken(key, 'run-1', 'eyJ.sso.token');
    expect(sealed).not.toContain('eyJ');
    expect(unsealToken(key, 'run-1', sealed)).toBe('eyJ.sso.token');
    expect(unsealToken(key, 'run-2', sealed)).toBeUndefined();
    expect(unsealToken(Buffer.from('rotated'), 'run-1', sealed)).toBeUndefined();
    expect(unsealToken(key, 'run-1', 'garbage')).toBeUndefined();
  });
});

describe('the progress card', () => {
  it('changes at most once every 3 s, coalescing changes, and the summary follows the run at once', async () => {
    const clock = new ManualClock(0, 'hold');
    const published: number[] = [];
    const turn = () => new Promise((r) => setImmediate(r));
    const publisher = new ProgressPublisher(clock, async () => void published.push(clock.now()), 3000, 0);
    publisher.changed();
    publisher.changed();
    await turn();
    clock.advance(500);
    publisher.changed();
    await turn();
    expect(published).toEqual([]);
    clock.advance(2500);
    await turn();
    expect(published).toEqual([3000]);
    clock.advance(1000);
    await publisher.finish(async () => void published.push(clock.now()));
    expect(published).toEqual([3000, 4000]);
    publisher.changed();
    clock.advance(10_000);
    await turn();
    expect(published).toEqual([3000, 4000]);
  });

  it('does not hold the summary for a progress update still waiting out its gap', async () => {
    const clock = new ManualClock(0, 'hold');
    const published: string[] = [];
    const publisher = new ProgressPublisher(
      clock,
      async () => void published.push(`progress ${clock.now()}`),
      3000,
      0,
    );
    clock.advance(3500);
    publisher.changed();
    await new Promise((r) => setImmediate(r));
    expect(published).toEqual(['progress 3500']);
    clock.advance(500);
    publisher.changed();
    await publisher.finish(async () => void published.push(`summary ${clock.now()}`));
    expect(published).toEqual(['progress 3500', 'summary 4000']);
    clock.advance(10_000);
    await new Promise((r) => setImmediate(r));
    expect(published).toEqual(['progress 3500', 'summary 4000']);
  });
});

describe('bulk expansion', () => {
  const user = (id: string, name: string, open = true) => ({
    id,
    displayName: name,
    userPrincipalName: `${id}@contoso.com`,
    serviceProvisioningErrors: open ? [{ isResolved: false, serviceInstance: 'exchange' }] : [],
  });
  const args = (users: string[]) => ({
    positional: { user: users[0] ?? '' },
    flags: {},
    lists: { user: users },
  });

  it('is a bulk request for several users or --group, not for one', () => {
    expect(isBulkRequest(retry, args(['a']))).toBe(false);
    expect(isBulkRequest(retry, args(['a', 'b']))).toBe(true);
    expect(isBulkRequest(retry, { positional: {}, flags: { group: 'g' } })).toBe(true);
  });

  it('skips, with the reason, names that do not resolve, have nothing to fix, repeat, or name the same object', async () => {
    const A = '90000000-0000-4000-8000-00000000000a';
    const graph = new ScriptedGraph({
      'GET /users/a%40contoso.com': user(A, 'A'),
      'GET /users/b%40contoso.com': user('b', 'B', false),
      [`GET /users/${A}`]: user(A, 'A'),
      'GET /users': { value: [] },
    });
    const result = await expandBulk(
      retry,
      args(['a@contoso.com', 'b@contoso.com', 'A@contoso.com', A, 'x@contoso.com']),
      graph,
      { maxTargets: 10 },
    );
    if (result.kind !== 'resolved') throw new Error(result.kind);
    expect(result.target.items.map((i) => i.id)).toEqual([A]);
    expect(result.target.skipped.map((s) => [s.input, s.reason.slice(0, 25)])).toEqual([
      ['A@contoso.com', 'Named twice in the comman'],
      ['b@contoso.com', 'B has no unresolved servi'],
      [A, 'The same object as "a@con'],
      ['x@contoso.com', 'No user matches "x@contos'],
    ]);
  });

  it('refuses a list with an ambiguous name, and one over the limit', async () => {
    const graph = new ScriptedGraph({
      'GET /users': { value: [user('s1', 'Sam'), user('s2', 'Sam')] },
    });
    const ambiguous = await expandBulk(retry, args(['Sam', 'Sam Two']), graph, { maxTargets: 10 });
    expect(ambiguous).toMatchObject({ kind: 'refused', title: 'Ambiguous names' });
    const tooMany = await expandBulk(retry, args(['a', 'b', 'c']), graph, { maxTargets: 2 });
    expect(tooMany).toMatchObject({ kind: 'refused', title: 'Too many targets' });
  });

  it('--group reads the members and keeps those with the failure', async () => {
    const gid = '61000000-0000-4000-8000-000000000001';
    const graph = new ScriptedGraph({
      [`GET /groups/${gid}`]: { id: gid, displayName: 'Sales' },
      [`GET /groups/${gid}/members/microsoft.graph.user`]: { value: [user('a', 'A'), user('b', 'B', false)] },
    });
    const result = await expandBulk(retry, { positional: {}, flags: { group: gid } }, graph, {
      maxTargets: 10,
    });
    if (result.kind !== 'resolved') throw new Error(result.kind);
    expect(result.target.items.map((i) => i.id)).toEqual(['a']);
    expect(result.target.source).toMatch(/group Sales \(2 members read, 1 with nothing to fix\)/);
    expect(graph.calls[1]?.query.$select).toBe('id,displayName,userPrincipalName,serviceProvisioningErrors');
  });

  it('--group refuses two groups of the same name and reports a missing one', async () => {
    const graph = new ScriptedGraph({
      'GET /groups': (c: Call) =>
        c.query.$filter?.includes("'Twins'") ? { value: [{ id: 'g1' }, { id: 'g2' }] } : { value: [] },
    });
    expect(
      await expandBulk(retry, { positional: {}, flags: { group: 'Twins' } }, graph, { maxTargets: 5 }),
    ).toMatchObject({
      kind: 'refused',
      title: 'Ambiguous group',
    });
    expect(
      await expandBulk(retry, { positional: {}, flags: { group: 'Nobody' } }, graph, { maxTargets: 5 }),
    ).toMatchObject({
      kind: 'not-found',
    });
  });

  it('lets a Graph failure through, so the resolver shows its lookup-failed card', async () => {
    const graph = new ScriptedGraph({
      'GET /users/a%40contoso.com': new GraphFailure(503, 'x', 'busy', 'r', undefined),
    });
    await expect(
      expandBulk(retry, args(['a@contoso.com', 'b']), graph, { maxTargets: 5 }),
    ).rejects.toBeInstanceOf(GraphFailure);
  });
});

describe('bulk cards', () => {
  const target: BulkTarget = {
    kind: 'bulk',
    source: '30 users named',
    items: Array.from({ length: 30 }, (_, i) => ({ id: `u${i}`, label: `User ${i}`, target: {} })),
    skipped: [{ input: 'nobody', reason: 'No user matches.' }],
  };
  const r = {
    id: 'rid',
    action: 'retry-provisioning',
    args: { positional: {}, flags: {} },
    command: 'retry-provisioning …',
    target,
    confirmation: { title: 'retry-provisioning for 30 users', why: 'why', facts: [], problems: [] },
    address: {
      serviceUrl: 'x',
      channelId: 'msteams',
      conversationId: 'c',
      conversationType: 'channel',
      tenantId: 't',
      botId: 'b',
      botName: 'bot',
    },
    requestedBy: { aadObjectId: 'r', name: 'Reggie' },
    createdAt: '2026-11-22T12:00:00Z',
    state: 'pending',
  } satisfies Remediation;
  const view = { roles: ['User Administrator'], approvalRule: 'four-eyes (default)' };

  it('the confirmation names the first 20 targets and counts the rest, and lists every skip', () => {
    const text = JSON.stringify(bulkConfirmationCard(r, target, view));
    expect(text).toContain('User 19');
    expect(text).not.toContain('User 20');
    expect(text).toContain('… and 10 more targets');
    expect(text).toContain('nobody: No user matches.');
    expect(text).not.toMatch(/\$\{/);
  });

  it('the summary lists failures first, caps the list, and offers Retry failed only when something failed', () => {
    const outcomes = Array.from({ length: 60 }, (_, i) => ({
      label: `User ${i}`,
      outcome: (i % 20 === 5 ? 'failed' : i === 59 ? 'unknown' : 'succeeded') as
        'failed' | 'unknown' | 'succeeded',
      detail: 'd',
    }));
    const card = bulkProgressCard(
      { ...r, state: 'failed' },
      {
        phase: 'finished',
        numbers: { total: 60, succeeded: 56, failed: 3, unknown: 1, remaining: 0 },
        skipped: 1,
        outcomes,
      },
    );
    const lines = (JSON.stringify(card).match(/"text":"[✗✓?] User \d+/g) ?? []).map((l) => l[8]);
    expect(lines).toHaveLength(LISTED_OUTCOMES);
    expect(lines.slice(0, 4)).toEqual(['✗', '✗', '✗', '?']);
    expect(JSON.stringify(card)).toContain('Retry failed (4)');
    expect(JSON.stringify(card)).toContain('… and 20 more (0 failed or unknown, 20 accepted)');
    const clean = bulkProgressCard(
      { ...r, state: 'succeeded' },
      {
        phase: 'finished',
        numbers: { total: 1, succeeded: 1, failed: 0, unknown: 0, remaining: 0 },
        skipped: 0,
        outcomes: [],
      },
    );
    expect(JSON.stringify(clean)).not.toContain('bulk-retry');
  });
});
