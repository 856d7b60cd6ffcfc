import { defaultRegistry } from '../../src/domain/actions/registry';
import type { Remediation } from '../../src/domain/remediation/remediation';
import { helpCard, helpCommandCard } from '../../src/features/cards/help-cards';
import {
  choiceCard,
  noticeCard,
  remediationCard,
  type CardView,
} from '../../src/features/cards/remediation-cards';
import { renderCard, type AdaptiveCardJson } from '../../src/features/cards/render';
import {
  historyCommand,
  statusCommand,
  type AuditCommandDeps,
} from '../../src/features/audit/audit-commands';
import { howTeamsShows, markdownTexts } from '../fakes/teams-markdown';
import { ManualClock } from '../fakes/manual-clock';

const registry = defaultRegistry(new ManualClock(Date.parse('2026-11-22T12:00:00Z')));

const base: Remediation = {
  id: 'AAAAAAAAAAAAAAAAAAAAAA',
  action: 'retry-provisioning',
  args: { positional: { user: 'alice@contoso.com' }, flags: {} },
  command: 'retry-provisioning alice@contoso.com',
  target: {},
  confirmation: {
    title: 'Retry service provisioning for Alice Smith',
    why: '1 unresolved service provisioning error on record.',
    facts: [{ title: 'UPN', value: 'alice@contoso.com' }],
    problems: ['exchange: proxy address conflict'],
  },
  address: {
    serviceUrl: 'https://smba.example',
    channelId: 'msteams',
    conversationId: '19:x@thread.tacv2;messageid=1',
    conversationType: 'channel',
    tenantId: 't',
    botId: '28:b',
    botName: 'Bot',
  },
  requestedBy: { aadObjectId: 'r', name: 'Reggie' },
  createdAt: '2026-11-22T12:00:00.000Z',
  state: 'pending',
};

function visibleText(card: AdaptiveCardJson): string {
  return JSON.stringify(card);
}

const view: CardView = { roles: ['User Administrator'], approvalRule: 'four-eyes (default)' };

const samples: Array<[string, AdaptiveCardJson]> = [
  ['pending', remediationCard(base, view)],
  ['pending with notice', remediationCard(base, { ...view, notice: 'Approval refused: expired.' })],
  [
    'blocked',
    remediationCard({ ...base, confirmation: { ...base.confirmation, blocked: 'Nothing to retry.' } }, view),
  ],
  [
    'running',
    remediationCard(
      {
        ...base,
        state: 'running',
        approvedBy: { aadObjectId: 'a', name: 'Ada' },
        approvedAt: '2026-11-22T12:01:00Z',
      },
      view,
    ),
  ],
  [
    'failed',
    remediationCard(
      {
        ...base,
        state: 'failed',
        result: {
          outcome: 'failed',
          summary: 'Refused',
          facts: [],
          details: [],
          graph: {
            status: 403,
            code: 'Authorization_RequestDenied',
            message: 'Insufficient privileges',
            requestId: 'rid-9',
            date: 'now',
          },
        },
      },
      view,
    ),
  ],
  [
    'cancelled',
    remediationCard({ ...base, state: 'cancelled', cancelledBy: { aadObjectId: 'r', name: 'Reggie' } }, view),
  ],
  ['help', helpCard(registry)],
  ['help-command', helpCommandCard(registry.find('provision-on-demand')!)],
  ['notice', noticeCard({ title: 'Not found', text: 'No user matches.' })],
  [
    'choice',
    renderCard('choice', { prompt: 'Which?', candidates: [{ label: 'A', detail: 'a', index: 0, sid: 's' }] }),
  ],
];

describe('card templates', () => {
  it.each(samples)('%s binds every expression and stays on Adaptive Cards 1.5', (_name, card) => {
    expect(card.type).toBe('AdaptiveCard');
    expect(card.version).toBe('1.5');
    expect(visibleText(card)).not.toMatch(/\$\{|\$data|\$when/);
  });

  it.each([
    ['pending', ['refresh', 'approve', 'reject', 'cancel']],
    ['blocked', ['refresh']],
    ['running', ['refresh']],
    ['failed', ['refresh']],
  ])('%s card offers the buttons %j', (name, verbs) => {
    const card = samples.find(([n]) => n === name)?.[1];
    const found = JSON.stringify(card).match(/"verb":"(\w+)"/g) ?? [];
    expect(found.map((v) => v.slice(8, -1))).toEqual(verbs);
  });

  it('names the target in the body and keeps its object id and Graph times for the footer', () => {
    const guid = '10000000-0000-4000-8000-000000000001';
    const r: Remediation = {
      ...base,
      confirmation: {
        ...base.confirmation,
        facts: [...base.confirmation.facts, { title: 'Object id', value: guid }],
        problems: ['exchange since 2026-11-21T12:00:00.000Z: proxy address conflict'],
      },
    };
    const card = remediationCard(r, view);
    const body = card.body as Array<{ type: string; text?: string; $when?: string }>;
    const facts = JSON.stringify(body.filter((b) => b.type === 'FactSet'));
    expect(facts).not.toContain(guid);
    expect(body.at(-1)?.text).toBe(`Object id ${guid}`);
    expect(JSON.stringify(card)).toContain(
      'exchange since {{DATE(2026-11-21T12:00:00Z, SHORT)}} {{TIME(2026-11-21T12:00:00Z)}}: proxy address conflict',
    );
  });

  it('shows the outcome word, the Graph error and the request-id on a failed card', () => {
    const text = visibleText(samples.find(([n]) => n === 'failed')![1]);
    for (const word of ['Failed', 'Authorization_RequestDenied', 'rid-9']) expect(text).toContain(word);
  });

  it.each<[string, CardView, RegExp]>([
    ['four-eyes', view, /other than Reggie: four-eyes\. .*one of: User Administrator\./],
    [
      'self',
      { ...view, approvalRule: 'self (actions.retry-provisioning)' },
      /\(rule actions\.retry-provisioning\), Reggie included\./,
    ],
  ])(
    'says in the body who may approve (%s), the role Graph requires, the expiry and the id',
    (_mode, v, who) => {
      const card = remediationCard({ ...base, expiresAt: '2026-11-23T12:00:00.000Z' }, v);
      const text = visibleText(card);
      expect(text).toMatch(who);
      expect(text).toContain(
        'Can be approved for 24 h from the request, until {{DATE(2026-11-23T12:00:00Z, SHORT)}} {{TIME(2026-11-23T12:00:00Z)}}; then it expires.',
      );
      expect(text).toContain(
        'Remediation AAAAAAAAAAAAAAAAAAAAAA: status AAAAAAAAAAAAAAAAAAAAAA shows where it stands.',
      );
      const footer = (card.body as Array<{ text?: string }>).at(-1)?.text ?? '';
      expect(footer).toBe('Requested by Reggie · retry-provisioning alice@contoso.com');
    },
  );

  it('writes times as DATE and TIME so each viewer reads their own, without milliseconds', () => {
    const text = visibleText(
      remediationCard(
        {
          ...base,
          state: 'cancelled',
          cancelledBy: base.requestedBy,
          cancelledAt: '2026-11-22T12:05:00.123Z',
        },
        view,
      ),
    );
    expect(text).toContain(
      'Requested by Reggie {{DATE(2026-11-22T12:00:00Z, SHORT)}} {{TIME(2026-11-22T12:00:00Z)}}',
    );
    expect(text).toContain(
      'cancelled by Reggie {{DATE(2026-11-22T12:05:00Z, SHORT)}} {{TIME(2026-11-22T12:05:00Z)}}',
    );
    expect(text).not.toMatch(/\d\.\d{3}Z/);
  });

  it('puts nothing but the opaque id in button data', () => {
    const card = samples[0]![1];
    const data = JSON.stringify(card).match(/"data":(\{[^}]*\})/g);
    expect(new Set(data)).toEqual(new Set(['"data":{"rid":"AAAAAAAAAAAAAAAAAAAAAA"}']));
    expect(data).toHaveLength(4);
  });
});

describe('text on cards, as a Teams-like client shows it', () => {
  const hostile = '*Urgent* _now_: [Approve](https://evil.example) <b>here</b> `x` ~~y~~';
  const hostileRemediation: Remediation = {
    ...base,
    id: 'A_b-C_',
    command: `retry-provisioning ${hostile}`,
    requestedBy: { aadObjectId: 'r', name: hostile },
    confirmation: {
      title: hostile,
      why: hostile,
      facts: [{ title: hostile, value: hostile }],
      problems: [hostile],
      blocked: hostile,
    },
  };
  const finished: Remediation = {
    ...hostileRemediation,
    state: 'rejected',
    rejectedBy: { aadObjectId: 'a', name: hostile },
    rejectionReason: hostile,
    result: {
      outcome: 'failed',
      summary: hostile,
      facts: [{ title: hostile, value: hostile }],
      details: [hostile],
      graph: { status: 400, code: hostile, message: hostile, requestId: hostile, date: hostile },
    },
  };
  const cards: Array<[string, AdaptiveCardJson]> = [
    ['confirmation', remediationCard(hostileRemediation, { ...view, notice: hostile })],
    ['outcome', remediationCard(finished, view)],
    ['notice', noticeCard({ title: hostile, text: hostile, usage: hostile, hint: hostile })],
    [
      'choice',
      choiceCard({ prompt: hostile, candidates: [{ label: hostile, detail: hostile, index: 0, sid: 's' }] }),
    ],
  ];

  it.each(cards)('the %s card shows names, messages, reasons and commands as written', (_name, card) => {
    const shown = markdownTexts(card).map(howTeamsShows);
    expect(shown.flatMap((s) => s.markup)).toEqual([]);
    const planted = shown.filter((s) => s.visible.includes('Approve'));
    expect(planted.length).toBeGreaterThan(0);
    for (const s of planted) expect(s.visible).toContain('*Urgent* _now_: [Approve](https://evil.example)');
  });

  it('leaves button data and button titles as they are: the bot reads them, Teams shows titles as plain text', () => {
    const confirmation = JSON.stringify(remediationCard(hostileRemediation, view));
    expect(confirmation).toContain('"data":{"rid":"A_b-C_"}');
    const choice = choiceCard({
      prompt: 'Which?',
      candidates: [{ label: '[x]', detail: '<y>', index: 0, sid: 's' }],
    });
    expect(JSON.stringify(choice)).toContain('"title":"[x]","tooltip":"<y>"');
  });

  it('shows the placeholders of help as written: <user>, <policy>, <remediation-id>, <command>', () => {
    const audit = { registry } as AuditCommandDeps;
    const help = markdownTexts(helpCard(registry, [historyCommand(audit), statusCommand(audit)])).map(
      (t) => howTeamsShows(t).visible,
    );
    for (const usage of [
      'retry-provisioning [<user>…] [--group <group>]',
      'retry-cloudpc-policy <policy>',
      'status <remediation-id>',
      'help [<command>]',
      'Type help <command> for details.',
    ]) {
      expect(help).toContain(usage);
    }
    const oneCommand = markdownTexts(helpCommandCard(registry.find('provision-on-demand')!)).map(
      (t) => howTeamsShows(t).visible,
    );
    expect(oneCommand).toContain('<user>');
    expect(oneCommand).toContain('provision-on-demand <user>… --app <app> [--job <jobId>]');
  });
});
