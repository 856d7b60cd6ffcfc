import { CONTOSO, parseFilter, type GraphRequestRecord } from '../fakes';
import { attachedCard, cardActions, cardText } from './card-helpers';
import {
  approve,
  click,
  command,
  errorLogs,
  oboRequests,
  replyTo,
  teamsClient,
  type InvokeBody,
  type Sent,
} from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

const COMMANDS = [
  'retry-provisioning',
  'reprocess-license',
  'retry-cloudpc-policy',
  'reprocess-access-request',
  'provision-on-demand',
];

/** Bad input must never reach a Graph write, and must not crash a turn. */
function expectNothingRan(): void {
  expect(h.graph.writes()).toHaveLength(0);
  expect(errorLogs(h)).toEqual([]);
}

/** An invoke answered with the Universal Actions error shape and a message a person can read. */
function expectCardError(body: InvokeBody, status: number): void {
  expect(body.statusCode).toBe(status);
  expect(body.type).toBe('application/vnd.microsoft.error');
  expect(typeof body.value.message).toBe('string');
  expect(String(body.value.message)).toMatch(/^[A-Z].{10,}/);
  expect(String(body.value.message)).not.toMatch(/at \S+ \(|Error:|undefined/);
}

/** A refusal or an unknown request: a message Teams shows while the card stays (200, activity.message). */
function expectCardMessage(body: InvokeBody, text: RegExp): void {
  expect(body.statusCode).toBe(200);
  expect(body.type).toBe('application/vnd.microsoft.activity.message');
  expect(body.value).toEqual(expect.stringMatching(text));
  expect(String(body.value)).toMatch(/\(correlation id [0-9a-f-]{36}\)$/);
}

/** The user-collection lookups the bot sent to Graph with a $filter. */
function userFilters(): GraphRequestRecord[] {
  return h.graph.requests.filter((r) => r.method === 'GET' && r.path === '/users' && r.query['$filter']);
}

describe('help and empty messages', () => {
  it('answers a bare @mention with the help card listing all five commands', async () => {
    const sent = await command(h, '');
    const text = cardText(sent.card);
    for (const name of COMMANDS) expect(text).toContain(name);
    expect(text).toMatch(/help \[<command>\]/);
    expect(cardActions(sent.card)).toHaveLength(0);
    expectNothingRan();
  });

  it('answers help with the same command list', async () => {
    const sent = await command(h, 'help');
    const text = cardText(sent.card);
    for (const name of COMMANDS) expect(text).toContain(name);
    expectNothingRan();
  });

  it("answers help <command> with that command's usage and examples", async () => {
    const sent = await command(h, 'help provision-on-demand');
    const text = cardText(sent.card);
    expect(text).toMatch(/provision-on-demand <user>… --app <app> \[--job <jobId>\]/);
    expect(text).toContain('Examples');
    expect(text).toContain('provision-on-demand alice@contoso.com --app "Salesforce"');
    expect(text).toContain('Application Administrator');
    expect(text).not.toContain('retry-cloudpc-policy');
    expectNothingRan();
  });

  it('answers help for an unknown topic with "No such command"', async () => {
    const sent = await command(h, 'help nope');
    const text = cardText(sent.card);
    expect(text).toMatch(/^No such command/);
    expect(text).toContain('"nope"');
    expectNothingRan();
  });
});

describe('unknown commands and wrong arguments', () => {
  it('says an unknown word is not a command', async () => {
    const sent = await command(h, 'frobnicate');
    const text = cardText(sent.card);
    expect(text).toMatch(/^I couldn't read that command/);
    expect(text).toContain('"frobnicate" is not a command I know');
    expect(text).toContain('Type help to see every command');
    expect(text).not.toMatch(/Did you mean/);
    expectNothingRan();
  });

  it('suggests the command a near miss was meant to be', async () => {
    const sent = await command(h, 'retry-provisionin alice@contoso.com');
    expect(cardText(sent.card)).toContain('Did you mean retry-provisioning?');
    expect(h.graph.requests).toHaveLength(0);
    expectNothingRan();
  });

  it.each([
    ['retry-provisioning', /The user is missing/, 'Usage: retry-provisioning [<user>…] [--group <group>]'],
    [
      'provision-on-demand alice@contoso.com',
      /--app is missing/,
      'Usage: provision-on-demand <user>… --app <app> [--job <jobId>]',
    ],
    [
      'retry-cloudpc-policy Frontline Engineering',
      /"Engineering" is extra/,
      'Usage: retry-cloudpc-policy <policy>',
    ],
    [
      'provision-on-demand alice@contoso.com --app Salesforce --color blue',
      /has no option --color/,
      'Usage: provision-on-demand <user>… --app <app> [--job <jobId>]',
    ],
  ])('shows the usage line for "%s"', async (text, problem, usage) => {
    const sent = await command(h, text);
    const card = cardText(sent.card);
    expect(card).toMatch(problem);
    expect(card).toContain(usage);
    expect(cardActions(sent.card)).toHaveLength(0);
    expect(h.graph.requests).toHaveLength(0);
    expectNothingRan();
  });
});

describe('odd text', () => {
  it('refuses 10 KB of text as too long, without looking anything up', async () => {
    const sent = await command(h, `retry-provisioning ${'a'.repeat(10 * 1024)}`);
    expect(cardText(sent.card)).toMatch(/too long/);
    expect(h.graph.requests).toHaveLength(0);
    expectNothingRan();
  });

  it.each([
    ['emoji only', '🔥🚀🙂'],
    ['Hebrew', 'תקן את המשתמש בבקשה'],
    ['Arabic', 'أعد محاولة التزويد من فضلك'],
  ])('answers %s text with a not-a-command card', async (_what, text) => {
    const sent = await command(h, text);
    const card = cardText(sent.card);
    expect(card).toMatch(/^I couldn't read that command/);
    expect(card).toMatch(/is not a command I know/);
    expect(cardActions(sent.card)).toHaveLength(0);
    expectNothingRan();
  });

  it('reads smart quotes and a long dash as Teams clients insert them', async () => {
    const sent = await command(h, 'provision-on-demand “Alice Smith” —app Salesforce');
    const text = cardText(sent.card);
    expect(text).toMatch(/Salesforce/);
    expect(text).toMatch(/salesforce\.a1b2c3/);
    expect(text).toContain(CONTOSO.users.alice);
    expect(cardActions(sent.card).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
    expectNothingRan();
  });

  it('strips a bot mention whose display name contains & (escaped as &amp;)', async () => {
    const client = teamsClient(h, { botName: 'Fix & Co' });
    const built = client.buildMessage({ from: PEOPLE.reggie, text: 'retry-provisioning alice@contoso.com' });
    expect(String(built.text)).toContain('<at>Fix &amp; Co</at>');
    const sent = await command(h, 'retry-provisioning alice@contoso.com', PEOPLE.reggie, { client });
    expect(cardText(sent.card)).toContain(CONTOSO.users.alice);
    expect(cardActions(sent.card).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
    expectNothingRan();
  });

  it('strips the bot mention when the entity text is unescaped but the message text is escaped', async () => {
    const client = teamsClient(h, { botName: 'Fix & Co' });
    const sent = await command(h, 'retry-provisioning alice@contoso.com', PEOPLE.reggie, {
      client,
      entitiesOverride: [
        {
          type: 'mention',
          text: '<at>Fix & Co</at>',
          mentioned: { id: client.botAccountId, name: 'Fix & Co' },
        },
      ],
    });
    expect(cardText(sent.card)).toContain(CONTOSO.users.alice);
    expect(cardActions(sent.card).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
    expectNothingRan();
  });

  it("keeps another person's @mention in the command instead of stripping it as the bot's", async () => {
    const botTag = '<at>Provisioning Fixer</at>';
    const aliceTag = '<at>Alice Smith</at>';
    const sent = await command(h, '', PEOPLE.reggie, {
      rawText: `${botTag} retry-provisioning ${aliceTag}`,
      entitiesOverride: [
        {
          type: 'mention',
          text: botTag,
          mentioned: { id: h.teams.botAccountId, name: 'Provisioning Fixer' },
        },
        {
          type: 'mention',
          text: aliceTag,
          mentioned: { id: `29:1${CONTOSO.users.alice.replace(/-/g, '')}`, name: 'Alice Smith' },
        },
      ],
    });
    const text = cardText(sent.card);
    expect(text).toContain('Alice Smith');
    expect(text).toContain(CONTOSO.users.alice);
    expect(cardActions(sent.card).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
    expect(userFilters().map((r) => r.query['$filter'])).toContain("displayName eq 'Alice Smith'");
    expectNothingRan();
  });
});

describe('OData safety', () => {
  it("finds Carol O'Brien, doubling the quote in the $filter", async () => {
    const sent = await command(h, `retry-provisioning "Carol O'Brien"`);
    const text = cardText(sent.card);
    expect(text).toContain("Carol O'Brien");
    expect(text).toContain(CONTOSO.users.carol);
    const [lookup] = userFilters();
    expect(lookup?.query['$filter']).toBe("displayName eq 'Carol O''Brien'");
    expect(decodeURIComponent(lookup?.rawUrl ?? '')).toContain("eq 'Carol O''Brien'");
    expect(lookup?.status).toBe(200);
    expectNothingRan();
  });

  it.each(["x' or startswith(displayName,'a", "x' or startswith(displayName,'A') or displayName eq 'y"])(
    'treats %s as one literal and answers Not found',
    async (name) => {
      const sent = await command(h, `retry-provisioning "${name}"`);
      expect(cardText(sent.card)).toMatch(/^Not found/);
      expect(cardActions(sent.card)).toHaveLength(0);
      const lookups = userFilters();
      expect(lookups).toHaveLength(1);
      const filter = lookups[0]?.query['$filter'] ?? '';
      expect(filter).toBe(`displayName eq '${name.replace(/'/g, "''")}'`);
      expect(parseFilter(filter)).toEqual({
        kind: 'compare',
        op: 'eq',
        left: { kind: 'path', segments: ['displayName'] },
        right: { kind: 'string', value: name },
      });
      expect(lookups[0]?.status).toBe(200);
      expectNothingRan();
    },
  );
});

describe('a name with several matches', () => {
  it.each([
    { namesakes: 10, says: /^10 users match "Pat Doe"\. Which one did you mean\?$/m },
    {
      namesakes: 11,
      says: /^More than 10 users match "Pat Doe"\. Which one did you mean\? The first 10 are listed; if the one you mean is not among them, name it by its id\.$/m,
    },
  ])('with $namesakes namesakes, counts only what it knows and lists 10', async ({ namesakes, says }) => {
    h.graph.seed({
      users: [
        ...(h.graph.store.users ?? []),
        ...Array.from({ length: namesakes }, (_, n) => ({
          id: `7c000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
          displayName: 'Pat Doe',
          userPrincipalName: `pat.doe${n}@contoso.com`,
        })),
      ],
    });
    const choice = await command(h, 'retry-provisioning "Pat Doe"');
    expect(cardText(choice.card)).toMatch(says);
    expect(cardActions(choice.card)).toHaveLength(10);
  });

  it('offers a choice, turns the pick into one remediation for that user, and writes only on approve', async () => {
    // Give the second Sam something to retry, so the picked card has an Approve button.
    const samB = h.graph.findUser(CONTOSO.users.samB);
    if (!samB) throw new Error('seed has no samB');
    samB.serviceProvisioningErrors = [
      {
        createdDateTime: '2026-11-21T12:00:00Z',
        isResolved: false,
        serviceInstance: 'exchange/namprd11-001-02',
        errorDetail: '<ErrorDescription>Mailbox could not be created.</ErrorDescription>',
      },
    ];

    const choice = await command(h, 'retry-provisioning "Sam Lee"');
    const buttons = cardActions(choice.card);
    expect(buttons).toHaveLength(2);
    expect(buttons.map((b) => b.verb)).toEqual(['pick', 'pick']);
    expect(buttons[0]?.title).toContain('sam.lee@contoso.com');
    expect(buttons[1]?.title).toContain('sam.lee2@contoso.com');

    const picked = await click(h, choice, 'pick', PEOPLE.reggie, undefined, buttons[1]?.data);
    expect(picked.statusCode).toBe(200);
    expect(picked.type).toBe('application/vnd.microsoft.card.adaptive');
    const text = cardText(picked.value);
    expect(text).toContain(CONTOSO.users.samB);
    expect(text).toContain('sam.lee2@contoso.com');
    expect(text).not.toContain(CONTOSO.users.samA);
    const actions = cardActions(picked.value);
    expect(actions.map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
    const rid = actions[0]?.data.rid;

    const again = await click(h, choice, 'pick', PEOPLE.nora, undefined, buttons[0]?.data);
    expect(again.statusCode).toBe(200);
    expect(cardText(again.value)).toContain(CONTOSO.users.samB);
    expect(cardActions(again.value)[0]?.data.rid).toBe(rid);
    expect(h.graph.writes()).toHaveLength(0);

    const onChoiceMessage: Sent = { ...choice, card: picked.value };
    const done = await approve(h, onChoiceMessage);
    expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
    expect(h.graph.writes()).toHaveLength(1);
    expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.samB)).toBe(1);
    expect(h.graph.callCount('retryServiceProvisioning', CONTOSO.users.samA)).toBe(0);
  });
});

describe('malformed card clicks', () => {
  async function pendingCard(): Promise<Sent> {
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    expect(cardActions(sent.card).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
    return sent;
  }

  it.each([
    ['has no action', (value: Record<string, unknown>) => delete value.action],
    ['has an action that is not an object', (value: Record<string, unknown>) => (value.action = 'approve')],
  ])('refuses an invoke whose value %s', async (_what, mangle) => {
    const sent = await pendingCard();
    const activity = h.teams.buildInvoke({
      from: PEOPLE.ada,
      conversationId: sent.conversationId,
      replyToId: sent.cardId,
      verb: 'approve',
      data: cardActions(sent.card)[0]?.data ?? {},
      token: h.ssoToken(PEOPLE.ada),
    });
    mangle(activity.value as Record<string, unknown>);
    const res = await h.teams.raw(activity);
    expect(res.status).toBe(200);
    const body = res.body as InvokeBody;
    expect(body.statusCode).toBeGreaterThanOrEqual(400);
    expect(body.statusCode).toBeLessThan(500);
    expectCardError(body, body.statusCode);
    expectNothingRan();
  });

  it('refuses an unknown verb', async () => {
    const sent = await pendingCard();
    const body = await click(h, sent, 'launch-missiles', PEOPLE.ada, h.ssoToken(PEOPLE.ada), {
      rid: cardActions(sent.card)[0]?.data.rid,
    });
    expectCardError(body, 400);
    expectNothingRan();
  });

  it('refuses approve with no request id', async () => {
    const sent = await pendingCard();
    const body = await click(h, sent, 'approve', PEOPLE.ada, h.ssoToken(PEOPLE.ada), {});
    expectCardError(body, 400);
    expect(oboRequests(h)).toHaveLength(0);
    expectNothingRan();
  });

  it('refuses approve with a well-formed but unknown request id', async () => {
    const sent = await pendingCard();
    const body = await click(h, sent, 'approve', PEOPLE.ada, h.ssoToken(PEOPLE.ada), {
      rid: 'AAAAAAAAAAAAAAAAAAAAAA',
    });
    expectCardMessage(body, /^This card refers to a request the bot does not know/);
    expect(oboRequests(h)).toHaveLength(0);
    expectNothingRan();
  });

  it.each([
    ['a group chat', '19:fakegroupchat@thread.v2'],
    ['another channel', '19:otherchannel@thread.tacv2;messageid=1700000000999'],
    ['a personal chat', `a:fake-personal-${CONTOSO.admins.ada}`],
  ])('refuses approve from %s for a remediation created elsewhere', async (_where, conversationId) => {
    const sent = await pendingCard();
    const res = await h.teams.invoke({
      from: PEOPLE.ada,
      conversationId,
      replyToId: sent.cardId,
      verb: 'approve',
      data: cardActions(sent.card)[0]?.data ?? {},
      token: h.ssoToken(PEOPLE.ada),
    });
    expect(res.status).toBe(200);
    expectCardMessage(res.body as InvokeBody, /^This card belongs to another conversation/);
    expect(oboRequests(h)).toHaveLength(0);
    expectNothingRan();
    // The remediation is untouched: it can still be approved where it was created.
    const done = await approve(h, sent);
    expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
  });
});

describe('malformed HTTP posts', () => {
  it.each([
    ['a non-JSON body', 'this is { not json'],
    ['a 300 KB body', JSON.stringify({ type: 'message', text: 'x'.repeat(300 * 1024) })],
  ])('refuses %s with a 4xx and keeps answering', async (_what, body) => {
    const res = await h.teams.raw(body);
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(h.connector.requests).toHaveLength(0);

    const next = await h.teams.message({ from: PEOPLE.reggie, text: 'help' });
    expect(next.status).toBe(200);
    const reply = await replyTo(h, String(next.activity.id));
    expect(cardText(attachedCard(reply))).toContain('retry-provisioning');
    expectNothingRan();
  });
});

describe('cancel', () => {
  it('shows Cancelled after the requester cancels, and a later Approve runs nothing', async () => {
    const sent = await command(h, 'retry-provisioning alice@contoso.com');
    const cancelled = await click(h, sent, 'cancel', PEOPLE.reggie);
    expect(cancelled.statusCode).toBe(200);
    const text = cardText(cancelled.value);
    expect(text).toMatch(/^Cancelled/);
    expect(text).toMatch(/cancelled by Reggie Requester/);
    expect(cardActions(cancelled.value)).toHaveLength(0);

    const update = await h.connector.waitFor((r) => r.kind === 'update' && r.activityId === sent.cardId);
    expect(cardText(attachedCard(update))).toMatch(/^Cancelled/);

    const late = await approve(h, sent);
    expect(late.statusCode).toBe(200);
    expect(cardText(late.value)).toMatch(/^Cancelled/);
    expect(oboRequests(h)).toHaveLength(0);
    expect(h.graph.callCount('retryServiceProvisioning')).toBe(0);
    expectNothingRan();
  });
});
