import pino from 'pino';
import type { AdaptiveCardJson } from '../../src/features/cards/render';
import type { ConversationAddress } from '../../src/domain/conversation';
import { ConversationDirectory } from '../../src/features/notify/conversation-directory';
import type { ConversationGate } from '../../src/features/shared/delivery';
import { DeliveryError } from '../../src/features/shared/delivery';
import { reprocessAccessRequestRemediation } from '../../src/domain/actions/reprocess-access-request';
import { reprocessLicenseRemediation } from '../../src/domain/actions/reprocess-license';
import { provisionOnDemandRemediation } from '../../src/domain/actions/provision-on-demand';
import { retryCloudPcPolicyRemediation } from '../../src/domain/actions/retry-cloudpc-policy';
import { retryProvisioningRemediation } from '../../src/domain/actions/retry-provisioning';

import { remediationFor } from '../../src/domain/actions/registry';
import type { DetectedFailure } from '../../src/domain/failures/failure';
import { FailureLedger } from '../../src/features/notify/failure-ledger';
import { FailureNotifier } from '../../src/features/notify/notifier';
import { NotificationSender, type ProactiveChannel } from '../../src/features/notify/sender';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { ScriptedGraph } from './scripted-graph';
import { ManualClock } from '../fakes/manual-clock';
import { channelAddress } from './channel-address';

const accessRequestDetector = reprocessAccessRequestRemediation.detector;
const cloudPcDetector = retryCloudPcPolicyRemediation.detector;
const licenseDetector = reprocessLicenseRemediation.detector;
const syncDetector = provisionOnDemandRemediation.detector;
const userProvisioningDetector = retryProvisioningRemediation.detector;

const logger = pino({ level: 'silent' });
const NOW = new Date('2026-11-22T12:00:00Z');

function address(conversationId: string, tenantId = 't1'): ConversationAddress {
  return channelAddress(conversationId, tenantId);
}

const CARD: AdaptiveCardJson = { type: 'AdaptiveCard', version: '1.5', body: [] };

type Answer = number | { status: number; code?: string; retryAfterMs?: number };

/** A channel that answers from a script of statuses (201 = sent) and error codes, and records each send. */
class ScriptedChannel implements ProactiveChannel {
  readonly sends: Array<{ conversationId: string; at: number; summary: string }> = [];
  constructor(
    private readonly clock: ManualClock,
    private readonly script: Record<string, Answer[]> = {},
  ) {}

  async sendProactive(a: ConversationAddress, _card: AdaptiveCardJson, summary: string) {
    this.sends.push({ conversationId: a.conversationId, at: this.clock.now(), summary });
    const next = this.script[a.conversationId]?.shift() ?? 201;
    const answer = typeof next === 'number' ? { status: next } : next;
    if (answer.status < 300) return `id-${this.sends.length}`;
    throw new DeliveryError(
      answer.status,
      answer.code ?? `HTTP${answer.status}`,
      'refused',
      answer.retryAfterMs,
    );
  }
}

/** A gate that lets every send go and records what the sender tells it. */
function recordingGate(events: string[] = [], permission: 'go' | 'probe' | 'hold' = 'go'): ConversationGate {
  return {
    beforeSend: async () => permission,
    delivered: async (a) => void events.push(`delivered ${a.conversationId}`),
    refused: async (a, verdict, e) => void events.push(`${verdict} ${a.conversationId} ${e.code}`),
  };
}

describe('notification sender', () => {
  function sender(s: ManualClock, channel: ProactiveChannel, gate = recordingGate(), random = 0.5) {
    return new NotificationSender({ channel, clock: s, logger, random: () => random, gate });
  }

  const roster = { status: 403, code: 'BotNotInConversationRoster' };
  it.each([
    ['sent at once', [201], 'sent', 1, [], []],
    [
      '429 with Retry-After 2 s, then sent',
      [{ status: 429, retryAfterMs: 2000 }, 201],
      'sent',
      2,
      [2100],
      [],
    ],
    ['412, 502, 504 with growing backoff, then sent', [412, 502, 504, 201], 'sent', 4, [750, 1500, 3000], []],
    ['503 is retried too, as the status-code table says', [503, 201], 'sent', 2, [750], []],
    [
      '403 BotNotInConversationRoster: forgotten, no retry',
      [roster],
      'dropped',
      1,
      [],
      ['forget c1 BotNotInConversationRoster'],
    ],
    [
      '403 ConversationBlockedByUser: paused, no retry',
      [{ status: 403, code: 'ConversationBlockedByUser' }],
      'paused',
      1,
      [],
      ['pause c1 ConversationBlockedByUser'],
    ],
    [
      '403 BotDisabledByAdmin: paused, no retry',
      [{ status: 403, code: 'BotDisabledByAdmin' }],
      'paused',
      1,
      [],
      ['pause c1 BotDisabledByAdmin'],
    ],
    [
      '403 NotEnoughPermissions: failed, the conversation kept',
      [{ status: 403, code: 'NotEnoughPermissions' }],
      'failed',
      1,
      [],
      [],
    ],
    [
      '429 (Retry-After 0) then 404 ConversationNotFound: forgotten',
      [
        { status: 429, retryAfterMs: 0 },
        { status: 404, code: 'ConversationNotFound' },
      ],
      'dropped',
      2,
      [0],
      ['forget c1 ConversationNotFound'],
    ],
    ['400: failed, no retry', [400], 'failed', 1, [], []],
    ['five 502s: failed', [502, 502, 502, 502, 502], 'failed', 5, [750, 1500, 3000, 6000], []],
    [
      'Retry-After of an hour: failed for now',
      [{ status: 429, retryAfterMs: 3_600_000 }],
      'failed',
      1,
      [],
      [],
    ],
  ])('%s', async (_name, script, outcome, attempts, backoffSleeps, told) => {
    const s = new ManualClock(NOW.getTime(), 'hold');
    const channel = new ScriptedChannel(s, { c1: [...script] });
    const events: string[] = [];
    const result = await s.run(sender(s, channel, recordingGate(events)).send(address('c1'), CARD, 'x'));
    expect(result).toMatchObject({ outcome, attempts });
    expect(channel.sends).toHaveLength(attempts);
    expect(s.sleeps).toEqual(backoffSleeps);
    expect(events).toEqual(told);
  });

  it('keeps the order of one conversation and skips what is queued after a refusal that ends it', async () => {
    const s = new ManualClock(NOW.getTime(), 'hold');
    const channel = new ScriptedChannel(s, { 'c1;messageid=9': [201, roster] });
    const events: string[] = [];
    const out = sender(s, channel, recordingGate(events));
    const results = await s.run(
      Promise.all([1, 2, 3, 4].map((i) => out.send(address('c1;messageid=9'), CARD, `card ${i}`))),
    );
    expect(results.map((r) => r.outcome)).toEqual(['sent', 'dropped', 'dropped', 'dropped']);
    expect(channel.sends.map((x) => x.summary)).toEqual(['card 1', 'card 2']);
    expect(events).toEqual(['forget c1;messageid=9 BotNotInConversationRoster']);
  });

  it('sends nothing to a paused conversation, and tells the gate when the first send after the pause went through', async () => {
    const s = new ManualClock(NOW.getTime(), 'hold');
    const held = new ScriptedChannel(s);
    expect(
      await s.run(sender(s, held, recordingGate([], 'hold')).send(address('c1'), CARD, 'x')),
    ).toMatchObject({
      outcome: 'paused',
      attempts: 0,
    });
    expect(held.sends).toEqual([]);
    const events: string[] = [];
    const probed = new ScriptedChannel(s);
    await s.run(sender(s, probed, recordingGate(events, 'probe')).send(address('c1'), CARD, 'x'));
    expect(probed.sends).toHaveLength(1);
    expect(events).toEqual(['delivered c1']);
  });

  it('does not treat an unexpected exception as a reason to retry or drop', async () => {
    const s = new ManualClock(NOW.getTime(), 'hold');
    const out = sender(s, {
      sendProactive: async () => {
        throw new TypeError('bug');
      },
    });
    expect(await s.run(out.send(address('c1'), CARD, 'x'))).toMatchObject({ outcome: 'failed', attempts: 1 });
  });
});

function failure(overrides: Partial<DetectedFailure> = {}): DetectedFailure {
  return {
    kind: 'user-provisioning',
    objectId: 'u1',
    objectLabel: 'Alice',
    errorCode: 'ProvisioningError/exchange',
    errorMessage: 'Proxy address conflict',
    occurredAt: '2026-11-22T11:00:00.000Z',
    remediation: remediationFor('user-provisioning', { target: 'u1' }),
    ...overrides,
  };
}

describe('failure ledger', () => {
  it('claims a failure once per conversation, and again after release', async () => {
    const ledger = new FailureLedger(new MemoryStateStore());
    const f = failure();
    await ledger.observe(f, 'state', NOW);
    const claims = await Promise.all([1, 2, 3].map(() => ledger.claim(f, 'c1', NOW)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await ledger.claim(f, 'c2', NOW)).toBe(true);
    await ledger.release(f, 'c1');
    expect(await ledger.claim(f, 'c1', NOW)).toBe(true);
  });

  const DAY = 24 * 3_600_000;
  const at = (days: number) => new Date(NOW.getTime() + days * DAY);
  it.each([
    { what: 'a closed failure’s notice past 30 days is forgotten', open: false, sweepAt: 30.5, kept: false },
    { what: 'a closed failure’s notice within 30 days is kept', open: false, sweepAt: 29.5, kept: true },
    { what: 'an open failure’s notice is kept however old', open: true, sweepAt: 400, kept: true },
  ])('notice sweep: $what', async ({ open, sweepAt, kept }) => {
    const ledger = new FailureLedger(new MemoryStateStore());
    const f = failure();
    const record = await ledger.observe(f, 'state', NOW);
    const notice = await ledger.createNotice(f, 'c1', NOW);
    if (!open) await ledger.forget([record]);
    expect(await ledger.sweepNotices(at(sweepAt))).toBe(kept ? 0 : 1);
    expect(await ledger.notice(notice.id)).toEqual(kept ? notice : undefined);
  });

  it('sweeps notices at most once a day', async () => {
    const ledger = new FailureLedger(new MemoryStateStore());
    const f = failure();
    await ledger.createNotice(f, 'c1', NOW);
    expect(await ledger.sweepNotices(at(29.9))).toBe(0);
    expect(await ledger.sweepNotices(at(30.5))).toBe(0);
    expect(await ledger.sweepNotices(at(30.95))).toBe(1);
  });

  it('resolves only state failures of kinds that were fully detected', async () => {
    const ledger = new FailureLedger(new MemoryStateStore());
    const a = failure();
    const b = failure({ kind: 'license', objectId: 'u2', errorCode: 'CountViolation' });
    const e = failure({ kind: 'sync', objectId: 'sp/u3', errorCode: 'X' });
    await ledger.observe(a, 'state', NOW);
    await ledger.observe(b, 'state', NOW);
    await ledger.observe(e, 'event', NOW);
    const resolved = await ledger.resolveAbsent(['user-provisioning', 'sync'], new Set());
    expect(resolved.map((r) => r.failure.objectId)).toEqual(['u1']);
    expect(await ledger.record(a)).toBeUndefined();
    expect(await ledger.record(b)).toBeDefined();
    expect(await ledger.record(e)).toBeDefined();
  });

  it.each([
    ['a repeat within a day keeps the claims', '2026-11-22T20:00:00.000Z', true],
    ['a repeat after a quiet day starts over', '2026-11-23T12:00:01.000Z', false],
  ])('event: %s', async (_name, second, stillClaimed) => {
    const ledger = new FailureLedger(new MemoryStateStore());
    const first = failure({ kind: 'sync', occurredAt: '2026-11-22T11:00:00.000Z' });
    await ledger.observe(first, 'event', NOW);
    await ledger.claim(first, 'c1', NOW);
    const record = await ledger.observe({ ...first, occurredAt: second }, 'event', new Date(second));
    expect(Boolean(record.postedTo['c1'])).toBe(stillClaimed);
  });

  const LATER = new Date(NOW.getTime() + 5 * 60_000);
  it.each([
    ['an open state failure seen again as it was', false, 'state', {}],
    ['a state failure whose message changed', true, 'state', { errorMessage: 'Proxy address conflict (2)' }],
    ['the same event occurrence read again', false, 'event', {}],
    ['a later occurrence of an event', true, 'event', { occurredAt: '2026-11-22T11:30:00.000Z' }],
  ] as const)('observe: %s, rewritten: %s', async (_name, rewritten, nature, change) => {
    const store = new MemoryStateStore();
    const ledger = new FailureLedger(store);
    const f = failure({ kind: nature === 'event' ? 'sync' : 'user-provisioning' });
    await ledger.observe(f, nature, NOW);
    const [key] = await store.list('notify/failure/');
    const before = (await store.get(String(key)))?.eTag;
    await ledger.observe({ ...f, ...change }, nature, LATER);
    expect((await store.get(String(key)))?.eTag !== before).toBe(rewritten);
  });

  it('sweeps quiet events and calls old occurrences history', async () => {
    const ledger = new FailureLedger(new MemoryStateStore());
    const f = failure({ kind: 'sync', occurredAt: '2026-11-21T10:00:00.000Z' });
    expect(ledger.isHistory(f, 'event', NOW)).toBe(true);
    expect(ledger.isHistory(f, 'state', NOW)).toBe(false);
    await ledger.observe({ ...f, occurredAt: '2026-11-22T10:00:00.000Z' }, 'event', NOW);
    expect(await ledger.sweepQuietEvents(NOW)).toBe(0);
    expect(await ledger.sweepQuietEvents(new Date('2026-11-23T10:00:01Z'))).toBe(1);
  });

  it('moves a watermark forward only', async () => {
    const ledger = new FailureLedger(new MemoryStateStore());
    await ledger.advanceWatermark('log', '2026-11-22T10:00:00Z');
    await ledger.advanceWatermark('log', '2026-11-22T09:00:00Z');
    expect(await ledger.watermark('log')).toBe('2026-11-22T10:00:00Z');
  });
});

describe('notifier', () => {
  async function setup(threshold: number, script: Record<string, number[]> = {}) {
    const s = new ManualClock(NOW.getTime(), 'hold');
    const store = new MemoryStateStore();
    const directory = new ConversationDirectory(store, s);
    const ledger = new FailureLedger(store);
    const channel = new ScriptedChannel(s, script);
    const sender = new NotificationSender({ channel, clock: s, logger, gate: recordingGate() });
    const notifier = new FailureNotifier({
      ledger,
      directory,
      sender,
      clock: s,
      logger,
      digestThreshold: threshold,
    });
    return { s, store, directory, ledger, channel, notifier };
  }
  const many = (n: number) =>
    Array.from({ length: n }, (_, i) => ({
      failure: failure({ objectId: `u${i}` }),
      nature: 'state' as const,
    }));

  it('sends each subscribed conversation only its kinds, once, and a digest above the threshold', async () => {
    const { s, directory, channel, notifier } = await setup(3);
    await directory.subscribe(address('c1;messageid=5'), ['user-provisioning'], 'Ada');
    await directory.subscribe(address('c2'), ['license'], 'Ada');
    const first = await s.run(notifier.notify(many(4), { source: 'test' }));
    expect(first).toMatchObject({ failures: 4, posted: 4, cards: 1, digests: 1 });
    expect(channel.sends.map((x) => x.conversationId)).toEqual(['c1']);
    const again = await s.run(notifier.notify(many(5), { source: 'test' }));
    expect(again).toMatchObject({ posted: 1, cards: 1, digests: 0 });
  });

  it('writes no failure record when the same open failures come again a cycle later', async () => {
    const { s, directory, notifier, store } = await setup(3);
    await directory.subscribe(address('c1'), ['user-provisioning'], 'Ada');
    await s.run(notifier.notify(many(4), { source: 'test' }));
    const tags = async () =>
      Promise.all((await store.list('notify/failure/')).map(async (k) => (await store.get(k))?.eTag));
    const before = await tags();
    s.advance(5 * 60_000);
    const again = await s.run(notifier.notify(many(4), { source: 'test' }));
    expect(again).toMatchObject({ failures: 4, posted: 0 });
    expect(await tags()).toEqual(before);
  });

  it('releases claims of a card that was not delivered', async () => {
    const { s, directory, ledger, notifier } = await setup(5, { c1: [400] });
    await directory.subscribe(address('c1'), ['user-provisioning'], 'Ada');
    const report = await s.run(notifier.notify(many(1), { source: 'test' }));
    expect(report).toMatchObject({ posted: 0, undelivered: 1 });
    expect((await ledger.record(failure({ objectId: 'u0' })))?.postedTo).toEqual({});
  });

  it('leaves out event occurrences older than the quiet period', async () => {
    const { s, directory, channel, notifier } = await setup(5);
    await directory.subscribe(address('c1'), ['sync'], 'Ada');
    const old = failure({ kind: 'sync', occurredAt: '2026-11-20T12:00:00.000Z' });
    expect(
      await s.run(notifier.notify([{ failure: old, nature: 'event' }], { source: 'test' })),
    ).toMatchObject({
      failures: 0,
    });
    expect(channel.sends).toHaveLength(0);
  });
});

describe('detectors (app-only reads)', () => {
  const ctx = (graph: ScriptedGraph, watermark?: string) => ({
    graph,
    now: NOW,
    watermark,
    pageBudget: 10,
    logger: pino({ level: 'silent' }),
  });

  it('user provisioning: selects the property, filters resolved errors in code, one failure per workload', async () => {
    const graph = new ScriptedGraph({
      'GET /users/delta': {
        '@odata.deltaLink': 'https://graph.example/v1.0/users/delta?$deltatoken=t1',
        value: [
          {
            id: 'u1',
            displayName: 'Alice',
            userPrincipalName: 'alice@x',
            serviceProvisioningErrors: [
              { isResolved: false, serviceInstance: 'exchange/eu-1', errorDetail: '<E>Conflict</E>' },
              { isResolved: true, serviceInstance: 'sharepoint/eu-1' },
              { isResolved: false, serviceInstance: 'teams/eu-1' },
            ],
          },
          { id: 'u2', serviceProvisioningErrors: [] },
        ],
      },
    });
    const { failures } = await userProvisioningDetector.detect(ctx(graph));
    expect(failures.map((f) => [f.objectId, f.errorCode, f.errorMessage])).toEqual([
      ['u1', 'ProvisioningError/exchange', 'Conflict'],
      ['u1', 'ProvisioningError/teams', 'no detail'],
    ]);
    expect(graph.calls[0]?.path).toBe('/users/delta');
    expect(graph.calls[0]?.query).toEqual({
      $select: 'id,displayName,userPrincipalName,serviceProvisioningErrors',
    });
  });

  it.each<[string, ReadonlySet<string> | undefined, string[]]>([
    ['every user read when the monitor gives no open set', undefined, ['u1', 'U2', 'u3']],
    ['only the users with open failures', new Set(['u2']), ['U2']],
    ['none when nothing is open', new Set<string>(), []],
  ])('user provisioning lists as read %s', async (_name, openObjectIds, listed) => {
    const graph = new ScriptedGraph({
      'GET /users/delta': {
        '@odata.deltaLink': 'https://graph.example/v1.0/users/delta?$deltatoken=t1',
        value: [{ id: 'u1' }, { id: 'U2', '@removed': { reason: 'changed' } }, { id: 'u3' }],
      },
    });
    const detection = await userProvisioningDetector.detect({
      ...ctx(graph),
      ...(openObjectIds ? { openObjectIds } : {}),
    });
    expect(detection.partial?.objectIds).toEqual(listed);
  });

  it('licence: groups in error, then their members whose licence from that group failed (null, absent and "None" are no error)', async () => {
    const graph = new ScriptedGraph({
      'GET /groups': { value: [{ id: 'g1', displayName: 'E5' }] },
      'GET /groups/g1/membersWithLicenseErrors': {
        value: [
          {
            id: 'u1',
            licenseAssignmentStates: [
              { skuId: 's1', state: 'Error', error: 'CountViolation', assignedByGroup: 'g1' },
              { skuId: 's2', state: 'Error', error: 'DependencyViolation', assignedByGroup: 'other' },
              { skuId: 's3', state: 'Active', error: 'None', assignedByGroup: 'g1' },
              { skuId: 's4', state: 'Active', error: null, assignedByGroup: null },
              { skuId: 's5', state: 'Active', assignedByGroup: 'g1' },
            ],
          },
          { id: 'u2' },
        ],
      },
    });
    const { failures } = await licenseDetector.detect(ctx(graph));
    expect(failures.map((f) => [f.objectId, f.errorCode])).toEqual([
      ['u1', 'CountViolation'],
      ['u2', 'Other'],
    ]);
    expect(failures[0]?.errorMessage).toMatch(/Not enough licences.*Group E5, SKU s1/);
    expect(graph.calls[0]?.query['$filter']).toBe('hasMembersWithLicenseErrors eq true');
  });

  it('access requests: only reprocessable states within 14 days of completion', async () => {
    const days = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
    const graph = new ScriptedGraph({
      'GET /identityGovernance/entitlementManagement/assignmentRequests': {
        value: [
          {
            id: 'r1',
            state: 'deliveryFailed',
            completedDateTime: days(1),
            accessPackage: { displayName: 'Sales' },
          },
          { id: 'r2', state: 'partiallyDelivered', completedDateTime: days(13) },
          { id: 'r3', state: 'deliveryFailed', completedDateTime: days(15) },
          { id: 'r4', state: 'delivered', completedDateTime: days(1) },
          { id: 'r5', state: 'deliveryFailed', completedDateTime: null, createdDateTime: days(2) },
        ],
      },
    });
    const { failures } = await accessRequestDetector.detect(ctx(graph));
    expect(failures.map((f) => f.objectId)).toEqual(['r1', 'r2', 'r5']);
  });

  it('Cloud PCs: failed ones grouped by provisioning policy, named from the policy', async () => {
    const graph = new ScriptedGraph({
      'GET /deviceManagement/virtualEndpoint/cloudPCs': {
        value: [
          {
            id: 'a',
            displayName: 'PC-A',
            status: 'failed',
            provisioningPolicyId: 'p1',
            statusDetail: { code: 'intuneEnrollFailed' },
          },
          { id: 'b', displayName: 'PC-B', status: 'failed', provisioningPolicyId: 'p1' },
          { id: 'c', displayName: 'PC-C', status: 'provisioned', provisioningPolicyId: 'p1' },
          {
            id: 'd',
            displayName: 'PC-D',
            status: 'failed',
            provisioningPolicyId: 'p2',
            provisioningPolicyName: 'Shift',
          },
        ],
      },
      'GET /deviceManagement/virtualEndpoint/provisioningPolicies/p1': { id: 'p1', displayName: 'Frontline' },
    });
    const { failures } = await cloudPcDetector.detect(ctx(graph));
    expect(failures.map((f) => [f.objectId, f.objectLabel, f.errorCode, f.remediation.action])).toEqual([
      ['p1', 'Frontline', 'intuneEnrollFailed', 'retry-cloudpc-policy'],
      ['p2', 'Shift', 'provisioningFailed', 'retry-cloudpc-policy'],
    ]);
    expect(failures[0]?.errorMessage).toMatch(/^2 Cloud PCs failed: PC-A, PC-B\./);
    expect(graph.calls[0]?.version).toBe('beta');
  });

  const logEntry = (
    id: string,
    at: string,
    source: string,
    sourceIdentity: Record<string, string>,
    targetIdentity: Record<string, string>,
  ) => ({
    id,
    activityDateTime: at,
    jobId: 'job.1',
    servicePrincipal: { id: 'sp1', displayName: 'App' },
    sourceSystem: { displayName: source },
    sourceIdentity: { identityType: 'User', details: {}, ...sourceIdentity },
    targetIdentity: { identityType: 'User', details: {}, ...targetIdentity },
    provisioningStatusInfo: { status: 'failure', errorInformation: { errorCode: 'E', reason: 'R' } },
  });

  it('provisioning log: gt the watermark minus an hour, a page size, the Entra-side user, the newest time as next watermark', async () => {
    const graph = new ScriptedGraph({
      'GET /auditLogs/provisioning': {
        value: [
          logEntry(
            '1',
            '2026-11-22T11:30:00.1234567Z',
            'Azure Active Directory',
            { id: 'entra-user', displayName: 'Src' },
            { id: '', displayName: '' },
          ),
          logEntry(
            '2',
            '2026-11-22T11:30:00.1234568Z',
            'Workday',
            { id: 'wd-123', displayName: 'Worker' },
            { id: 'entra-user-2', displayName: '' },
          ),
          logEntry('3', '2026-11-22T11:00:00Z', 'Azure Active Directory', { id: '', displayName: '' }, {}),
          logEntry('4', '2026-11-22T11:00:00Z', 'Workday', { id: 'wd-456' }, { id: '', displayName: '' }),
          logEntry(
            '5',
            '2026-11-22T11:00:00Z',
            'Azure Active Directory',
            { id: 'group-1', displayName: 'Sales', identityType: 'Group' },
            { id: '', displayName: '', identityType: 'Group' },
          ),
        ],
      },
    });
    const result = await syncDetector.detect(ctx(graph, '2026-11-22T10:00:00.0000001Z'));
    expect(graph.calls[0]?.query).toEqual({
      $filter:
        "provisioningStatusInfo/status eq 'failure' and activityDateTime gt 2026-11-22T09:00:00.0000001Z",
      $top: '100',
    });
    expect(result.failures.map((f) => [f.objectId, f.objectLabel, f.remediation])).toEqual([
      [
        'sp1/entra-user',
        'Src in App',
        { action: 'provision-on-demand', target: 'entra-user', app: 'sp1', job: 'job.1' },
      ],
      [
        'sp1/entra-user-2',
        'Worker in App',
        { action: 'provision-on-demand', target: 'entra-user-2', app: 'sp1', job: 'job.1' },
      ],
    ]);
    expect(result.watermark).toBe('2026-11-22T11:30:00.1234568Z');
  });

  it.each([
    ['no watermark: the last 24 hours', undefined, '2026-11-21T12:00:00.000Z'],
    ['a watermark in seconds', '2026-11-22T10:00:00Z', '2026-11-22T09:00:00.000Z'],
    ['a watermark with seven digits', '2026-11-22T10:00:00.1234567Z', '2026-11-22T09:00:00.1234567Z'],
  ])('provisioning log starts after %s', async (_name, watermark, since) => {
    const graph = new ScriptedGraph({ 'GET /auditLogs/provisioning': { value: [] } });
    const result = await syncDetector.detect(ctx(graph, watermark));
    expect(graph.calls[0]?.query['$filter']).toBe(
      `provisioningStatusInfo/status eq 'failure' and activityDateTime gt ${since}`,
    );
    expect(result.watermark).toBe(watermark ?? since);
  });
});
