import { provisioningLog, type GraphUserSeed } from '../fakes';
import { cardText } from './card-helpers';
import { startAzurite, type Azurite } from '../storage/azurite';
import { startHarness, type Harness } from './harness';
import { CHANNEL, cardsIn, say } from './notifications-helpers';

jest.setTimeout(60_000);

const DAY = 86_400_000;
const SELECT = 'id,displayName,userPrincipalName,serviceProvisioningErrors';

let h: Harness;
let azurite: Azurite | undefined;

afterEach(async () => {
  await h.close();
  await azurite?.stop();
  azurite = undefined;
});

/** A user of a large tenant; `failing` ones have an unresolved Exchange provisioning error. */
function tenantUser(i: number, failing = false): GraphUserSeed {
  return {
    id: `30000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    displayName: `Tenant User ${i}`,
    userPrincipalName: `user${i}@contoso.com`,
    serviceProvisioningErrors: failing
      ? [
          {
            createdDateTime: '2026-11-22T10:00:00Z',
            isResolved: false,
            serviceInstance: 'exchange/namprd11-001-01',
            errorDetail: `<ErrorDescription>Proxy address conflict for user${i}.</ErrorDescription>`,
          },
        ]
      : [],
  };
}

/** Only the user-provisioning detector's requests. */
function userReads(): { path: string; query: Record<string, string> }[] {
  return h.graph.requests.filter((r) => r.path === '/users/delta' || r.path === '/users');
}

async function startWatching(env: Record<string, string> = {}, graphPageSize?: number): Promise<void> {
  h = await startHarness({ NOTIFY_DIGEST_THRESHOLD: '50', ...env }, graphPageSize ? { graphPageSize } : {});
  await say(h, 'subscribe user-provisioning');
}

const run = () => h.app.notifications.monitor.runOnce();

describe('user provisioning by delta query', () => {
  it('pages through the first round, keeps the deltaLink, and then reads only what changed', async () => {
    await startWatching({}, 2);
    h.graph.seed({ users: [...h.graph.store.users, tenantUser(1), tenantUser(2, true), tenantUser(3)] });
    const first = await run();
    expect(first.detected['user-provisioning']).toBe(2);
    const round = userReads();
    expect(round.length).toBeGreaterThan(2);
    expect(round.every((r) => r.path === '/users/delta')).toBe(true);
    expect(round[0]?.query).toEqual({ $select: SELECT });
    expect(round.slice(1).every((r) => r.query['$skiptoken'] !== undefined)).toBe(true);
    expect(cardsIn(h, CHANNEL)).toHaveLength(2);

    h.graph.resetRecords();
    const quiet = await run();
    expect(userReads()).toEqual([
      expect.objectContaining({ path: '/users/delta', query: { $deltatoken: expect.any(String) } }),
    ]);
    expect(quiet.resolved).toBe(0);
    expect(cardsIn(h, CHANNEL)).toHaveLength(2);

    h.graph.resetRecords();
    const changed = h.graph.findUser(tenantUser(3).id);
    changed?.serviceProvisioningErrors?.push(...(tenantUser(3, true).serviceProvisioningErrors ?? []));
    const next = await run();
    expect(next.detected['user-provisioning']).toBe(1);
    expect(userReads()).toHaveLength(1);
    const cards = cardsIn(h, CHANNEL);
    expect(cards).toHaveLength(3);
    expect(cardText(cards[2])).toContain('Tenant User 3');
  });

  it.each([
    ['the file store', false],
    ['Azure Blob Storage (Azurite)', true],
  ])('keeps its deltaLink in %s across a restart', async (_name, blob) => {
    azurite = blob ? await startAzurite() : undefined;
    await startWatching(
      azurite
        ? { STORAGE_CONNECTION_STRING: azurite.connectionString, STORAGE_CONTAINER: 'monitor-delta' }
        : {},
    );
    await run();
    await h.restart();
    h.graph.resetRecords();
    await run();
    expect(userReads().map((r) => Object.keys(r.query))).toEqual([['$deltatoken']]);
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
  });

  it('clears the failure of a user who was removed, and of one whose error was resolved', async () => {
    await startWatching();
    h.graph.seed({ users: [...h.graph.store.users, tenantUser(1, true), tenantUser(2, true)] });
    expect((await run()).detected['user-provisioning']).toBe(3);

    h.graph.seed({ users: h.graph.store.users.filter((u) => u.id !== tenantUser(1).id) });
    const resolvedUser = h.graph.findUser(tenantUser(2).id);
    for (const e of resolvedUser?.serviceProvisioningErrors ?? []) e.isResolved = true;
    const after = await run();
    expect(after.resolved).toBe(2);
    const removed = h.graph.requests.filter((r) => r.path === '/users/delta').at(-1);
    expect(removed?.query['$deltatoken']).toBeDefined();

    // Resolved means forgotten: the same error coming back is news again.
    for (const e of resolvedUser?.serviceProvisioningErrors ?? []) e.isResolved = false;
    await run();
    expect(cardsIn(h, CHANNEL).filter((c) => cardText(c).includes('Tenant User 2'))).toHaveLength(2);
  });

  it.each([
    ['410 Gone', (g: Harness) => g.graph.expireDeltaLinks('gone'), 410],
    ['syncStateNotFound (a link older than seven days)', (g: Harness) => g.clock.advance(8 * DAY), 400],
  ])(
    'starts a full round again when Graph answers %s, posting nothing twice',
    async (_name, expire, status) => {
      await startWatching();
      await run();
      expect(cardsIn(h, CHANNEL)).toHaveLength(1);
      expire(h);
      // A new process: a cached app-only token from eight days ago would be refused for itself.
      await h.restart();
      h.graph.resetRecords();
      const report = await run();
      const reads = userReads();
      expect(reads[0]?.query['$deltatoken']).toBeDefined();
      expect(reads[1]?.query).toEqual({ $select: SELECT });
      expect(report.detected['user-provisioning']).toBe(1);
      expect(report.resolved).toBe(0);
      expect(cardsIn(h, CHANNEL)).toHaveLength(1);
      expect(h.logs.join('')).toMatch(/no longer honours the users delta link/);
      expect(h.logs.join('')).toContain(`"status":${status}`);
    },
  );

  it('starts a full round again when the properties it selects have changed', async () => {
    await startWatching();
    await run();
    const ledger = h.app.notifications.ledger;
    const kept = await ledger.scanState('user-provisioning');
    // The state an earlier version left: a deltaLink made for fewer properties.
    await ledger.saveScanState('user-provisioning', {
      ...kept,
      position: { ...kept?.position, select: 'id,displayName' },
      updatedAt: new Date(h.clock.now()).toISOString(),
    });
    h.graph.resetRecords();
    const report = await run();
    expect(userReads().map((r) => r.query)).toEqual([{ $select: SELECT }]);
    expect(report.resolved).toBe(0);
    expect(cardsIn(h, CHANNEL)).toHaveLength(1);
    expect(h.logs.join('')).toMatch(/selected user properties changed; starting a full delta round/);
  });

  it('reads every user instead when Graph refuses the delta query, and says so', async () => {
    await startWatching();
    h.graph.failNext({
      path: '/users/delta',
      status: 501,
      code: 'NotImplemented',
      message: 'This operation target is not yet supported.',
    });
    const report = await run();
    expect(report.detected['user-provisioning']).toBe(1);
    expect(userReads().map((r) => r.path)).toEqual(['/users/delta', '/users']);
    expect(h.logs.join('')).toMatch(/refused the users delta query; reading every user instead/);
  });

  it('reports a failure on the 60,000th user of a tenant it reads whole', async () => {
    await startWatching({}, 999);
    h.graph.generateUsers({ count: 60_000, user: (i) => tenantUser(i, i === 59_999) });
    const report = await run();
    expect(report.detected['user-provisioning']).toBe(2);
    expect(report.behind).toEqual({});
    const text = cardsIn(h, CHANNEL).map(cardText).join('\n');
    expect(text).toContain('Tenant User 59999');
  });

  it('stops a long first round at MONITOR_PAGE_BUDGET and goes on from there next cycle', async () => {
    await startWatching({ MONITOR_PAGE_BUDGET: '2' }, 2);
    const users = [1, 2, 3, 4, 5, 6, 7, 8].map((i) => tenantUser(i, i === 7));
    h.graph.seed({ users: [...h.graph.store.users, ...users] });
    const seeded = h.graph.store.users.length;
    const pages = Math.ceil(seeded / 2);

    const first = await run();
    expect(first.behind['user-provisioning']).toMatchObject({ pages: 2, items: 4 });
    expect(h.logs.join('')).toMatch(/scan stopped at its page budget; it goes on from there next cycle/);
    expect(await say(h, 'subscriptions')).toMatch(
      /user-provisioning: 4 items read in 2 pages since .* so far/,
    );

    h.graph.resetRecords();
    let cycles = 1;
    let report = first;
    while (Object.keys(report.behind).length > 0 && cycles < 20) {
      report = await run();
      cycles++;
    }
    expect(cycles).toBe(Math.ceil(pages / 2));
    expect(userReads()[0]?.query['$skiptoken']).toBeDefined();
    expect(userReads().some((r) => r.query['$select'] !== undefined)).toBe(false);
    expect(await say(h, 'subscriptions')).not.toMatch(/so far/);
    const text = cardsIn(h, CHANNEL).map(cardText).join('\n');
    expect(text).toContain('Tenant User 7');
    expect(text).toContain('Alice Smith');
  });

  it('spaces its reads to MONITOR_GRAPH_SHARE of the quota and marks them low priority; a person’s look-up is not', async () => {
    await startWatching({ MONITOR_GRAPH_SHARE: '0.5' }, 2);
    h.graph.seed({ users: [...h.graph.store.users, tenantUser(1), tenantUser(2), tenantUser(3)] });
    h.graph.resetRecords();
    const before = h.clock.now();
    await run();
    const elapsed = h.clock.now() - before;
    const reads = h.graph.requests;
    expect(reads.length).toBeGreaterThan(5);
    expect(reads.every((r) => r.headers['x-ms-throttle-priority'] === 'low')).toBe(true);
    // Reads go out one slot apart: 10 s / (0.5 × 3,500 resource units), each read one unit.
    expect(elapsed).toBeGreaterThanOrEqual((reads.length - 1) * (10_000 / (0.5 * 3500)) - 1e-6);

    h.graph.resetRecords();
    await say(h, 'retry-provisioning alice@contoso.com');
    const lookups = h.graph.requests.filter((r) => r.method === 'GET');
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.some((r) => r.headers['x-ms-throttle-priority'] !== undefined)).toBe(false);
  });

  it('reads a long provisioning log over several cycles, posts each failure once, moves its watermark at the end', async () => {
    h = await startHarness({ MONITOR_PAGE_BUDGET: '1', NOTIFY_DIGEST_THRESHOLD: '50' }, { graphPageSize: 1 });
    await say(h, 'subscribe sync');
    const now = new Date(h.clock.now());
    const entries = [1, 2, 3].map((i) =>
      provisioningLog(now, i * 60_000, `log-t${i}`, tenantUser(i).id, `Tenant User ${i}`, 'failure'),
    );
    h.graph.seed({ provisioningLogs: [...h.graph.store.provisioningLogs, ...entries] });
    const logReads = () => h.graph.requests.filter((r) => r.path === '/auditLogs/provisioning');

    let report = await run();
    expect(report.behind['sync']).toMatchObject({ pages: 1, items: 1 });
    const window = logReads()[0]?.query['$filter'];
    let cycles = 1;
    while (report.behind['sync'] && cycles < 20) {
      report = await run();
      cycles++;
    }
    expect(cycles).toBeGreaterThan(3);
    const reads = logReads();
    expect(reads.slice(1).every((r) => r.query['$skiptoken'] !== undefined)).toBe(true);
    expect(reads.every((r) => r.query['$filter'] === window)).toBe(true);

    h.graph.resetRecords();
    await run();
    const latest = Date.parse(entries[0]?.activityDateTime ?? '');
    expect(logReads()[0]?.query['$filter']).toBe(
      `provisioningStatusInfo/status eq 'failure' and activityDateTime gt ${new Date(latest - 3_600_000).toISOString()}`,
    );
    const text = cardsIn(h, CHANNEL).map(cardText);
    for (const i of [1, 2, 3]) {
      expect(text.filter((t) => t.includes(`Tenant User ${i} in Salesforce`))).toHaveLength(1);
    }
  });
});
