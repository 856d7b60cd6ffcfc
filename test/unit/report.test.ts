import type { AuditEntry, AuditEvent } from '../../src/domain/audit/audit-log';
import { median, summarize, type ActivityReport } from '../../src/domain/audit/report';

const PERIOD = { from: '2026-11-15T12:00:00.000Z', to: '2026-11-22T12:00:00.000Z' };
const T0 = Date.parse('2026-11-22T10:00:00.000Z');
const MINUTE = 60_000;

const KINDS: Record<string, string> = {
  'retry-provisioning': 'user-provisioning',
  'reprocess-license': 'license',
};
const RULES = {
  kindOf: (action: string) => KINDS[action] ?? action,
  decidedByAnswer: (action: string) => action === 'provision-on-demand',
};

let seq = 0;
/** One audit entry `minutes` after T0 about remediation `rid`; `causes: null` writes one without failure facts. */
function entry(
  minutes: number,
  event: AuditEvent,
  rid: string,
  options: {
    target?: string;
    action?: string;
    causes?: readonly string[] | null;
    detectedAt?: number;
    notified?: boolean;
    count?: number;
    graphStatus?: number;
  } = {},
): AuditEntry {
  const at = new Date(T0 + minutes * MINUTE).toISOString();
  return {
    id: String(9_000_000 - seq++),
    at,
    event,
    actor: { aadObjectId: undefined, name: 'someone' },
    conversationId: 'c',
    remediationId: rid,
    action: options.action ?? 'retry-provisioning',
    target: options.target ?? `target of ${rid}`,
    ...(options.causes === null
      ? {}
      : {
          failure: {
            detectedAt: new Date(T0 + (options.detectedAt ?? 0) * MINUTE).toISOString(),
            causes: options.causes ?? ['exchange-address-conflict'],
            ...(options.notified ? { notified: true as const } : {}),
          },
        }),
    ...(options.count === undefined ? {} : { count: options.count }),
    ...(options.graphStatus === undefined
      ? {}
      : { graph: { status: options.graphStatus, requestId: undefined } }),
  };
}

/** A request at 0, accepted at 1, then the given verification events at 3, 11, 31 minutes. */
function accepted(rid: string, verdicts: readonly AuditEvent[], options: Parameters<typeof entry>[3] = {}) {
  return [
    entry(0, 'requested', rid, options),
    entry(0.5, 'approved', rid, options),
    entry(1, 'succeeded', rid, options),
    ...verdicts.map((v, i) => entry([3, 11, 31][i] ?? 31, v, rid, options)),
  ];
}

describe('median', () => {
  it.each([
    [[], undefined],
    [[5], 5],
    [[1, 3], 2],
    [[3, 1, 2], 2],
    [[10, 1, 4, 7], 5.5],
  ])('of %j is %p', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

type Expect = Partial<Pick<ActivityReport, 'runs' | 'resolvedShare' | 'medianToResolveMs'>> & {
  standings?: Partial<ActivityReport['standings']>;
  detected?: ActivityReport['detected'];
  causes?: ActivityReport['causes'];
  stillFailing?: string[];
  resolvedWithoutDetection?: number;
  requestsWithoutDiagnosis?: number;
};

const CASES: Array<[string, () => AuditEntry[], Expect]> = [
  [
    'an empty trail',
    () => [],
    { runs: 0, resolvedShare: undefined, medianToResolveMs: undefined, detected: [], stillFailing: [] },
  ],
  [
    'one run resolved at the first check',
    () => accepted('a', ['verified-resolved']),
    { runs: 1, resolvedShare: 1, medianToResolveMs: 3 * MINUTE, standings: { resolved: 1 } },
  ],
  [
    'a failure detected before the request: the median counts from the detection',
    () => accepted('a', ['verified-resolved'], { detectedAt: -57 }),
    { medianToResolveMs: 60 * MINUTE },
  ],
  [
    'checked still failing, then resolved at a later check',
    () => accepted('a', ['verified-still-failing', 'verified-resolved']),
    { standings: { resolved: 1, 'still-failing': 0 }, medianToResolveMs: 11 * MINUTE, stillFailing: [] },
  ],
  [
    'one resolved and one still failing after the last check',
    () => [
      ...accepted('a', ['verified-resolved']),
      ...accepted('b', ['verified-still-failing', 'verified-still-failing', 'still-failing']),
    ],
    { runs: 2, resolvedShare: 0.5, standings: { resolved: 1, 'still-failing': 1 }, stillFailing: ['b'] },
  ],
  [
    'a failed run, a run whose outcome is unknown, one not verified and one still verifying',
    () => [
      entry(0, 'requested', 'f'),
      entry(1, 'failed', 'f'),
      entry(0, 'requested', 'u'),
      entry(1, 'outcome-unknown', 'u'),
      ...accepted('n', ['not-verified']),
      ...accepted('v', []),
    ],
    {
      runs: 4,
      resolvedShare: 0,
      standings: { failed: 1, 'outcome-unknown': 1, 'not-verified': 1, verifying: 1 },
      stillFailing: ['f'],
    },
  ],
  [
    'a target that failed and was then resolved by a later remediation is not still failing',
    () => [
      entry(0, 'requested', 'f', { target: 'alice' }),
      entry(1, 'failed', 'f', { target: 'alice' }),
      ...accepted('a', ['verified-resolved'], { target: 'alice' }).map((e) => ({
        ...e,
        at: new Date(Date.parse(e.at) + 5 * MINUTE).toISOString(),
      })),
    ],
    { stillFailing: [], detected: [{ kind: 'user-provisioning', count: 1 }] },
  ],
  [
    'a remediation Graph’s answer decides: resolved when it answered, accepted only on an empty 204',
    () => [
      entry(0, 'requested', 'p', { action: 'provision-on-demand', detectedAt: -4 }),
      entry(1, 'succeeded', 'p', { action: 'provision-on-demand', graphStatus: 200, detectedAt: -4 }),
      entry(0, 'requested', 'q', { action: 'provision-on-demand' }),
      entry(1, 'succeeded', 'q', { action: 'provision-on-demand', graphStatus: 204 }),
      entry(0, 'requested', 'r', { action: 'retry-provisioning' }),
      entry(1, 'succeeded', 'r', { action: 'retry-provisioning', graphStatus: 200 }),
    ],
    {
      runs: 3,
      standings: { resolved: 1, verifying: 2 },
      medianToResolveMs: 5 * MINUTE,
    },
  ],
  [
    'a resolution recorded without failure facts is counted but left out of the median',
    () => accepted('a', ['verified-resolved'], { causes: null }),
    { standings: { resolved: 1 }, medianToResolveMs: undefined, resolvedWithoutDetection: 1 },
  ],
  [
    'detected: distinct targets by family, most first',
    () => [
      entry(0, 'requested', 'a', { target: 'alice' }),
      entry(1, 'requested', 'b', { target: 'alice' }),
      entry(2, 'requested', 'c', { target: 'bob' }),
      entry(3, 'requested', 'd', { target: 'alice', action: 'reprocess-license' }),
    ],
    {
      runs: 0,
      detected: [
        { kind: 'user-provisioning', count: 2 },
        { kind: 'license', count: 1 },
      ],
    },
  ],
  [
    'detected: what the monitor reported, and requests no failure card had reported',
    () => [
      entry(0, 'failures-detected', '', { action: 'retry-provisioning', count: 40, causes: null }),
      entry(5, 'failures-detected', '', { action: 'reprocess-license', count: 2, causes: null }),
      entry(9, 'failures-detected', '', { action: 'reprocess-license', count: 1, causes: null }),
      entry(10, 'requested', 'a', { target: 'alice', notified: true }),
      entry(11, 'requested', 'b', { target: 'bob' }),
    ],
    {
      detected: [
        { kind: 'user-provisioning', count: 41 },
        { kind: 'license', count: 3 },
      ],
    },
  ],
  [
    'causes: each request counts an entry once; a request without a diagnosis is counted apart',
    () => [
      entry(0, 'requested', 'a', { causes: ['exchange-address-conflict', 'exchange-address-conflict'] }),
      entry(1, 'requested', 'b', { causes: ['unknown', 'exchange-address-conflict'] }),
      entry(2, 'requested', 'c', { causes: [] }),
      entry(3, 'requested', 'd', { causes: null }),
    ],
    {
      causes: [
        { entry: 'exchange-address-conflict', count: 2 },
        { entry: 'unknown', count: 1 },
      ],
      requestsWithoutDiagnosis: 2,
    },
  ],
  [
    'entries in any order give the same report',
    () => [...accepted('a', ['verified-resolved']), ...accepted('b', ['still-failing'])].reverse(),
    { runs: 2, resolvedShare: 0.5, medianToResolveMs: 3 * MINUTE, stillFailing: ['b'] },
  ],
];

describe('summarize', () => {
  it.each(CASES)('%s', (_name, entries, expected) => {
    seq = 0;
    const report = summarize(entries(), PERIOD, RULES);
    const { standings, stillFailing, ...rest } = expected;
    expect(report).toMatchObject(rest);
    if (standings) expect(report.standings).toMatchObject(standings);
    if (stillFailing) expect(report.stillFailing.map((s) => s.remediationId)).toEqual(stillFailing);
    expect(report.from).toBe(PERIOD.from);
    expect(report.to).toBe(PERIOD.to);
  });
});
