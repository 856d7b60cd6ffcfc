import { CardFactory } from 'botbuilder';
import type { Fact } from '../../src/domain/actions/action';
import { defaultRegistry } from '../../src/domain/actions/registry';
import type { Remediation } from '../../src/domain/remediation/remediation';
import type { AuditEntry } from '../../src/domain/audit/audit-log';
import type { BulkTarget } from '../../src/domain/remediation/bulk-target';
import { historyCard, statusCard } from '../../src/features/cards/audit-cards';
import { reportCard } from '../../src/features/cards/report-cards';
import {
  diagnoseCard,
  diagnoseChoiceCard,
  type PostedSection,
} from '../../src/features/cards/diagnose-cards';
import type { Finding, TargetFindings } from '../../src/domain/findings/finding';
import {
  bulkConfirmationCard,
  bulkProgressCard,
  type TargetOutcome,
} from '../../src/features/cards/bulk-cards';
import { failureCard, failureDigestCard, type PostedFailure } from '../../src/features/cards/failure-cards';
import { helpCard, helpCommandCard } from '../../src/features/cards/help-cards';
import {
  choiceCard,
  noticeCard,
  remediationCard,
  type CardView,
} from '../../src/features/cards/remediation-cards';
import type { AdaptiveCardJson, CardTemplateName } from '../../src/features/cards/render';
import {
  historyCommand,
  statusCommand,
  type AuditCommandDeps,
} from '../../src/features/audit/audit-commands';
import { subscriptionCommands } from '../../src/features/notify/subscription-commands';
import type { NotificationSettings } from '../../src/features/notify/subscription-commands';
import { ManualClock } from '../fakes/manual-clock';

/**
 * Teams refuses a bot message over 100 KB, counted in UTF-16 with its mentions and reactions (413
 * MessageSizeTooBig), and advises keeping a message within 80 KB for delivery to be sure
 * (learn.microsoft.com/microsoftteams/platform/bots/how-to/format-your-bot-messages). Every card is rendered
 * here with the worst its data can be, wrapped in the message the Bot Connector is sent, and held to 80 KB.
 */
const TEAMS_LIMIT_BYTES = 100 * 1024;
const BUDGET_BYTES = 80 * 1024;

/** The message as ConnectorMessenger sends it, with ids and a service URL as long as Teams' own. */
function message(card: AdaptiveCardJson): object {
  return {
    type: 'message',
    summary: WORST(600),
    attachments: [CardFactory.adaptiveCard(card)],
    from: { id: `28:${'0'.repeat(36)}`, name: WORST(120) },
    conversation: {
      id: `19:${'a'.repeat(32)}@thread.tacv2;messageid=${'9'.repeat(13)}`,
      conversationType: 'channel',
      tenantId: '0'.repeat(36),
      isGroup: true,
      name: '',
    },
    channelId: 'msteams',
    serviceUrl: `https://smba.trafficmanager.net/emea/${'0'.repeat(36)}/`,
  };
}

/** What Teams counts: the message's JSON, two bytes a UTF-16 code unit. */
function utf16Bytes(value: object): number {
  return JSON.stringify(value).length * 2;
}

/**
 * Text that takes the most room a character can: a backslash, escaped for Markdown and again for JSON, is
 * four code units on the wire (control characters, which JSON writes in six, never reach a card).
 */
function WORST(length: number): string {
  return '\\'.repeat(length);
}

const GUID = '00000000-0000-4000-8000-000000000000';
const RID = 'AAAAAAAAAAAAAAAAAAAAAA';
const person = { aadObjectId: GUID, name: WORST(256) };
const facts = (count: number): Fact[] =>
  Array.from({ length: count }, () => ({ title: WORST(200), value: WORST(5_000) }));

const worstRemediation: Remediation = {
  id: RID,
  action: 'provision-on-demand',
  args: { positional: { user: WORST(1_000) }, flags: {} },
  command: WORST(20_000),
  target: {},
  confirmation: {
    title: WORST(2_000),
    why: WORST(20_000),
    facts: facts(100),
    problems: Array.from({ length: 500 }, () => WORST(5_000)),
    blocked: WORST(20_000),
  },
  address: {
    serviceUrl: 'https://smba.example',
    channelId: 'msteams',
    conversationId: '19:x@thread.tacv2',
    conversationType: 'channel',
    tenantId: GUID,
    botId: '28:b',
    botName: 'Bot',
  },
  requestedBy: person,
  requesterTeamsId: `29:${WORST(200)}`,
  createdAt: '2026-11-22T12:00:00.000Z',
  expiresAt: '2026-11-23T12:00:00.000Z',
  state: 'pending',
  approvedBy: person,
  approvedAt: '2026-11-22T12:01:00.000Z',
  rejectedBy: person,
  rejectedAt: '2026-11-22T12:01:00.000Z',
  rejectionReason: WORST(500),
  cancelledBy: person,
  cancelledAt: '2026-11-22T12:01:00.000Z',
  expiredAt: '2026-11-22T12:01:00.000Z',
  finishedAt: '2026-11-22T12:02:00.000Z',
  result: {
    outcome: 'failed',
    headline: WORST(500),
    summary: WORST(50_000),
    facts: facts(100),
    details: Array.from({ length: 500 }, () => WORST(5_000)),
    graph: {
      status: 403,
      code: WORST(1_000),
      message: WORST(50_000),
      requestId: WORST(500),
      date: WORST(500),
    },
  },
};

const view: CardView = {
  roles: Array.from({ length: 20 }, () => WORST(100)),
  approvalRule: WORST(1_000),
  notice: WORST(20_000),
};

const STATES: ReadonlyArray<Remediation['state']> = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
  'expired',
  'unknown',
];

const auditEntry = (i: number): AuditEntry => ({
  id: `8235987199999-${String(i).padStart(9, '0')}-0a1b2c3d`,
  at: '2026-11-22T12:00:00.000Z',
  event: 'rejected',
  actor: person,
  conversationId: '19:x@thread.tacv2',
  remediationId: WORST(64),
  action: WORST(64),
  target: WORST(2_000),
  detail: WORST(500),
  graph: { status: 403, requestId: WORST(200) },
});

const failure = (i: number): PostedFailure => ({
  fid: RID,
  postedAt: '2026-11-25T12:00:00Z',
  failure: {
    kind: 'sync',
    objectId: `${GUID}/${GUID}`,
    objectLabel: WORST(2_000),
    errorCode: WORST(1_000),
    errorMessage: WORST(100_000),
    occurredAt: i % 2 ? '2026-11-22T12:00:00Z' : WORST(1_000),
    remediation: {
      action: 'provision-on-demand',
      target: WORST(1_000),
      app: WORST(1_000),
      job: WORST(1_000),
    },
  },
});

const bulkTarget: BulkTarget = {
  kind: 'bulk',
  source: WORST(1_000),
  items: Array.from({ length: 5_000 }, (_, i) => ({
    id: `${GUID}${i}`,
    label: WORST(2_000),
    target: {},
    problem: WORST(5_000),
  })),
  skipped: Array.from({ length: 5_000 }, () => ({ input: WORST(2_000), reason: WORST(5_000) })),
};

const outcomes: TargetOutcome[] = Array.from({ length: 5_000 }, (_, i) => ({
  label: WORST(2_000),
  outcome: i % 3 === 0 ? 'failed' : i % 3 === 1 ? 'unknown' : 'succeeded',
  detail: WORST(50_000),
}));

const numbers = { total: 5_000, succeeded: 1_666, failed: 1_667, unknown: 1_667, remaining: 0 };

const registry = defaultRegistry(new ManualClock(Date.parse('2026-11-22T12:00:00Z')));
const builtIns = [
  historyCommand({ registry } as AuditCommandDeps),
  statusCommand({ registry } as AuditCommandDeps),
  ...subscriptionCommands({} as never, {} as NotificationSettings),
];

/** Every template, each card it can make with its worst data. */
const WORST_CASES: ReadonlyArray<[CardTemplateName, string, () => AdaptiveCardJson]> = [
  ['report', 'with every family, cause and still-failing target at their longest', () => worstReport()],
  ['confirmation', 'with every fact, problem and notice', () => remediationCard(worstRemediation, view)],
  ['diagnose', 'with 50 failures of 50 remediations, every text at its longest', () => worstDiagnosis()],
  [
    'diagnose-choice',
    '50 matches',
    () =>
      diagnoseChoiceCard(
        WORST(30_000),
        Array.from({ length: 50 }, () => ({ label: WORST(2_000), kind: 'user' as const, id: WORST(2_000) })),
      ),
  ],
  ...STATES.filter((s) => s !== 'pending').map(
    (state) =>
      ['outcome', state, () => remediationCard({ ...worstRemediation, state }, view)] as [
        CardTemplateName,
        string,
        () => AdaptiveCardJson,
      ],
  ),
  [
    'choice',
    '50 candidates',
    () =>
      choiceCard({
        prompt: WORST(30_000),
        candidates: Array.from({ length: 50 }, (_, index) => ({
          label: WORST(2_000),
          detail: WORST(2_000),
          index,
          sid: RID,
        })),
      }),
  ],
  ['help', 'every command', () => helpCard(registry, builtIns)],
  ...[...registry.actions, ...builtIns].map(
    (c) =>
      ['help-command', c.name, () => helpCommandCard(c)] as [
        CardTemplateName,
        string,
        () => AdaptiveCardJson,
      ],
  ),
  [
    'notice',
    'a Graph message and a command echo',
    () => noticeCard({ title: WORST(5_000), text: WORST(60_000), usage: WORST(30_000), hint: WORST(30_000) }),
  ],
  ['failure', 'a 100,000-character message', () => failureCard(failure(0), WORST(5_000))],
  [
    'failure-digest',
    '5,000 failures',
    () =>
      failureDigestCard(
        Array.from({ length: 5_000 }, (_, i) => failure(i)),
        WORST(5_000),
      ),
  ],
  [
    'history',
    '50 rows with 500-character reasons',
    () =>
      historyCard(
        WORST(5_000),
        Array.from({ length: 50 }, (_, i) => auditEntry(i)),
        { after: WORST(64), limit: 50, action: WORST(64), user: WORST(200) },
      ),
  ],
  ...STATES.map(
    (state) =>
      [
        'status',
        `${state} with 1,000 events`,
        () =>
          statusCard(
            { ...worstRemediation, state },
            Array.from({ length: 1_000 }, (_, i) => auditEntry(i)),
          ),
      ] as [CardTemplateName, string, () => AdaptiveCardJson],
  ),
  [
    'bulk-confirmation',
    '5,000 targets and 5,000 skips',
    () => bulkConfirmationCard(worstRemediation, bulkTarget, view),
  ],
  ...(['running', 'paused', 'finished'] as const).map(
    (phase) =>
      [
        'bulk-progress',
        `${phase}, a summary of 5,000 targets`,
        () =>
          bulkProgressCard(
            { ...worstRemediation, state: phase === 'finished' ? 'failed' : 'running' },
            {
              phase,
              numbers,
              skipped: 5_000,
              outcomes,
              pausedReason: WORST(20_000),
              notice: WORST(20_000),
            },
          ),
      ] as [CardTemplateName, string, () => AdaptiveCardJson],
  ),
];

/** A report over every family, with every cause and target as long as they come. */
const worstReport = () =>
  reportCard(
    {
      from: '2026-10-23T12:00:00.000Z',
      to: '2026-11-22T12:00:00.000Z',
      detected: Array.from({ length: 20 }, (_, i) => ({ kind: `${WORST(2_000)}${i}`, count: 99_999 })),
      runs: 99_999,
      standings: {
        resolved: 1,
        'still-failing': 2,
        'not-verified': 3,
        verifying: 4,
        failed: 5,
        'outcome-unknown': 6,
      },
      resolvedShare: 0.5,
      medianToResolveMs: 99 * 86_400_000,
      resolvedWithoutDetection: 99_999,
      causes: Array.from({ length: 500 }, (_, i) => ({ entry: `${WORST(5_000)}${i}`, count: 99_999 })),
      requestsWithoutDiagnosis: 99_999,
      stillFailing: Array.from({ length: 5_000 }, () => ({
        remediationId: RID,
        action: WORST(200),
        target: WORST(20_000),
        standing: 'still-failing' as const,
        at: '2026-11-22T12:00:00.000Z',
        causes: [WORST(5_000)],
      })),
    },
    30,
    { kind: (k) => k, cause: (c) => c },
  );

/** A target with fifty failures, each fixed by its own command, every text and fact as long as it comes. */
const worstDiagnosis = () => {
  const findings: Finding[] = Array.from({ length: 50 }, (_, i) => ({
    kind: WORST(200),
    what: WORST(20_000),
    code: WORST(200),
    when: { word: WORST(2_000), at: '2026-11-22T12:00:00.000Z' },
    diagnosis: {
      entry: 'x',
      cause: WORST(20_000),
      retryHelps: false,
      fixFirst: WORST(20_000),
      facts: Array.from({ length: 50 }, () => ({ title: WORST(2_000), value: WORST(20_000) })),
      objectToFix: { label: WORST(2_000), url: `https://entra.microsoft.com/${'x'.repeat(5_000)}` },
    },
    remediation: { action: WORST(200), target: `${WORST(2_000)}${i}` },
  }));
  const target: TargetFindings = {
    targetKind: 'user',
    id: RID,
    label: WORST(2_000),
    facts: Array.from({ length: 50 }, () => ({ title: WORST(2_000), value: WORST(20_000) })),
    findings,
    unread: Array.from({ length: 10 }, () => ({
      what: WORST(2_000),
      status: 403,
      code: WORST(2_000),
      requestId: WORST(2_000),
    })),
  };
  const sections: PostedSection[] = findings.map((f) => ({
    kind: f.kind,
    findings: [f, f],
    ...(f.remediation ? { remediation: f.remediation } : {}),
    note: WORST(20_000),
    fid: RID,
  }));
  return diagnoseCard(target, sections, '2026-11-22T12:00:00.000Z');
};

describe('every card within Teams’ message size limit', () => {
  it.each(WORST_CASES)('%s, %s, stays within 80 KB in UTF-16', (_template, _case, render) => {
    expect(utf16Bytes(message(render()))).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('covers every template', () => {
    const covered = new Set(WORST_CASES.map(([template]) => template));
    const all: Record<CardTemplateName, true> = {
      confirmation: true,
      outcome: true,
      choice: true,
      help: true,
      'help-command': true,
      notice: true,
      failure: true,
      'failure-digest': true,
      history: true,
      status: true,
      'bulk-confirmation': true,
      'bulk-progress': true,
      report: true,
      diagnose: true,
      'diagnose-choice': true,
    };
    expect([...covered].sort()).toEqual(Object.keys(all).sort());
  });

  it('measures what Teams would refuse', () => {
    const oversized: AdaptiveCardJson = {
      type: 'AdaptiveCard',
      version: '1.5',
      body: [{ type: 'TextBlock', text: 'é'.repeat(TEAMS_LIMIT_BYTES / 2) }],
    };
    expect(utf16Bytes(message(oversized))).toBeGreaterThan(TEAMS_LIMIT_BYTES);
  });
});
