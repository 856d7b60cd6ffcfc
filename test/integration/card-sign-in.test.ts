import { CONTOSO, entraFaults, type EntraTokenFault, type TeamsUser } from '../fakes';
import { cardActions, cardText } from './card-helpers';
import { command, oboRequests, type InvokeBody, type Sent } from './flows';
import { BOT_CONNECTION, PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/**
 * Card sign-in as deployed (BOT_ID set): the Azure Bot's OAuth connection on the Bot Framework token service
 * (a loopback fake answering what botbuilder's UserTokenClient sends), Teams' silent SSO first, and when Entra
 * wants the approver to interact, 412 → the sign-in button → the magic code in value.state.
 */
let h: Harness;
beforeEach(async () => {
  h = await startHarness({}, { botFramework: true });
});
afterEach(async () => {
  await h.close();
});

const ALICE = 'retry-provisioning alice@contoso.com';

function tokens() {
  const bf = h.botFramework;
  if (!bf) throw new Error('the harness runs without a Bot Framework');
  return bf.tokens;
}

/** Clicks Approve as Teams does: with the SSO token after a loginRequest, or the magic code after a sign-in. */
async function clickApprove(
  sent: Sent,
  from: TeamsUser,
  proof: { token?: string; state?: string } = {},
): Promise<InvokeBody> {
  const res = await h.teams.invoke({
    from,
    conversationId: sent.conversationId,
    replyToId: sent.cardId,
    verb: 'approve',
    data: cardActions(sent.card).find((a) => a.verb === 'approve')?.data ?? {},
    ...proof,
  });
  expect(res.status).toBe(200);
  return res.body as InvokeBody;
}

/** The first click of a person who has not signed in: the loginRequest and its sign-in link. */
async function loginRequest(sent: Sent, from: TeamsUser): Promise<string> {
  const login = await clickApprove(sent, from);
  expect(login).toMatchObject({
    statusCode: 401,
    type: 'application/vnd.microsoft.activity.loginRequest',
    value: {
      connectionName: BOT_CONNECTION,
      tokenExchangeResource: { uri: `api://botid-${CONTOSO.clientId}` },
    },
  });
  const button = (login.value.buttons as Array<{ type: string; value: string }>)[0];
  expect(button?.type).toBe('signin');
  expect(button?.value.startsWith(`${tokens().url}/`)).toBe(true);
  return String(button?.value);
}

function writes(): number {
  return h.graph.callCount('retryServiceProvisioning', CONTOSO.users.alice);
}

function expectPending(body: InvokeBody): void {
  expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
  expect(cardActions(body.value).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
}

it('signs in silently: loginRequest naming the connection, then the SSO token is exchanged on-behalf-of', async () => {
  const sent = await command(h, ALICE);
  await loginRequest(sent, PEOPLE.ada);
  expect(tokens().requests).toEqual([
    expect.objectContaining({ operation: 'GetSignInResource', status: 200, appId: CONTOSO.botId }),
  ]);
  const done = await clickApprove(sent, PEOPLE.ada, { token: h.ssoToken(PEOPLE.ada) });
  expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
  expect(writes()).toBe(1);
  expect(oboRequests(h).map((r) => r.status)).toEqual([200]);
  expect(tokens().requests.map((r) => r.operation)).toEqual(['GetSignInResource']);
});

const MUST_INTERACT: Array<[string, EntraTokenFault]> = [
  ['MFA (AADSTS50076)', entraFaults.interactionRequired()],
  ['MFA registration (AADSTS50079)', entraFaults.interactionRequired({ code: 50079 })],
  [
    'interaction_required',
    entraFaults.interactionRequired({ error: 'interaction_required', code: 53001, suberror: undefined }),
  ],
  ['consent (AADSTS65001)', entraFaults.consentRequired()],
];

it.each(MUST_INTERACT)(
  'answers 412 when Entra wants %s, then approves once with the magic code of the sign-in',
  async (_what, fault) => {
    const sent = await command(h, ALICE);
    const link = await loginRequest(sent, PEOPLE.ada);
    h.entra.failNextTokenRequest(fault);
    const refused = await clickApprove(sent, PEOPLE.ada, { token: h.ssoToken(PEOPLE.ada) });
    expect(refused).toMatchObject({
      statusCode: 412,
      type: 'application/vnd.microsoft.error.preconditionFailed',
      value: { code: '412' },
    });
    expect(String(refused.value.message)).toMatch(/correlation id [0-9a-f-]{36}/);
    expect(writes()).toBe(0);

    const code = tokens().completeSignIn(link, h.ssoToken(PEOPLE.ada));
    const done = await clickApprove(sent, PEOPLE.ada, { state: code });
    expect(cardText(done.value)).toMatch(/^Accepted by Microsoft Graph/);
    // Teams re-sends the same invoke: the remediation does not run again.
    const again = await clickApprove(sent, PEOPLE.ada, { state: code });
    expect(cardText(again.value)).toMatch(/^Accepted by Microsoft Graph/);
    expect(writes()).toBe(1);
    expect(oboRequests(h).map((r) => r.status)).toEqual([400, 200]);
    const redeemed = tokens().requests.filter((r) => r.operation === 'GetToken');
    expect(redeemed.map((r) => [r.status, r.query])).toEqual([
      [
        200,
        {
          userId: `29:1${PEOPLE.ada.aadObjectId.replace(/-/g, '')}`,
          connectionName: BOT_CONNECTION,
          channelId: 'msteams',
          code: '***',
        },
      ],
    ]);
  },
);

it('gives the admin-consent link when consent is still missing after the sign-in, and runs nothing', async () => {
  const sent = await command(h, ALICE);
  const link = await loginRequest(sent, PEOPLE.ada);
  h.entra.failNextTokenRequest(entraFaults.consentRequired({ times: 2 }));
  expect((await clickApprove(sent, PEOPLE.ada, { token: h.ssoToken(PEOPLE.ada) })).statusCode).toBe(412);
  const code = tokens().completeSignIn(link, h.ssoToken(PEOPLE.ada));
  const refused = await clickApprove(sent, PEOPLE.ada, { state: code });
  expectPending(refused);
  const text = cardText(refused.value);
  expect(text).toContain('AADSTS65001');
  expect(text).toContain(`${h.entra.url}/${CONTOSO.tenantId}/adminconsent?client_id=${CONTOSO.clientId}`);
  expect(text).toMatch(/Nothing was run\./);
  expect(writes()).toBe(0);
});

it('refuses a magic code from someone else’s sign-in: 412, nothing exchanged, nothing run', async () => {
  const sent = await command(h, ALICE);
  const noraLink = await loginRequest(sent, PEOPLE.nora);
  const noraCode = tokens().completeSignIn(noraLink, h.ssoToken(PEOPLE.nora));
  const refused = await clickApprove(sent, PEOPLE.ada, { state: noraCode });
  expect(refused).toMatchObject({
    statusCode: 412,
    type: 'application/vnd.microsoft.error.preconditionFailed',
  });
  expect(
    tokens()
      .requests.filter((r) => r.operation === 'GetToken')
      .map((r) => r.status),
  ).toEqual([404]);
  expect(oboRequests(h)).toHaveLength(0);
  expect(writes()).toBe(0);

  const adaLink = await loginRequest(sent, PEOPLE.ada);
  const adaCode = tokens().completeSignIn(adaLink, h.ssoToken(PEOPLE.ada));
  expect(cardText((await clickApprove(sent, PEOPLE.ada, { state: adaCode })).value)).toMatch(
    /^Accepted by Microsoft Graph/,
  );
  expect(writes()).toBe(1);
});

/** The token service out of reach answers nothing; the click is answered within seconds all the same. */
describe('the token service out of reach', () => {
  it('answers a click that needs a sign-in link with a card that says so, and runs nothing', async () => {
    const sent = await command(h, ALICE);
    tokens().stall();
    const refused = await clickApprove(sent, PEOPLE.ada);
    expectPending(refused);
    expect(cardText(refused.value)).toMatch(
      /Approval could not start: the Bot Framework token service.*could not be reached.*Nothing was run\./,
    );
    expect(oboRequests(h)).toHaveLength(0);
    expect(writes()).toBe(0);
  });

  it('answers a magic code it cannot redeem with a card that says so, and runs nothing', async () => {
    const sent = await command(h, ALICE);
    const link = await loginRequest(sent, PEOPLE.ada);
    const code = tokens().completeSignIn(link, h.ssoToken(PEOPLE.ada));
    tokens().stall();
    const refused = await clickApprove(sent, PEOPLE.ada, { state: code });
    expectPending(refused);
    expect(cardText(refused.value)).toMatch(/token service.*could not be reached/);
    expect(h.logs.join('')).not.toContain(code);
    expect(oboRequests(h)).toHaveLength(0);
    expect(writes()).toBe(0);
  });
});
