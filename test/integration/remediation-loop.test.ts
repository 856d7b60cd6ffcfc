import { CONTOSO, type RemediationKind } from '../fakes';
import { attachedCard, cardActions, cardText } from './card-helpers';
import { approve, click, command, outcomeReply } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

interface ActionCase {
  command: string;
  kind: RemediationKind;
  target: string;
  confirms: RegExp[];
  /** The outcome card's headline: Graph's acceptance, or provisionOnDemand's own verdict. */
  headline: string;
  succeeded: RegExp[];
  notFound: string;
  blocked: { command: string; reason: RegExp };
}

const ACTIONS: ActionCase[] = [
  {
    command: 'retry-provisioning alice@contoso.com',
    kind: 'retryServiceProvisioning',
    target: CONTOSO.users.alice,
    confirms: [
      /Alice Smith/,
      /alice@contoso\.com/,
      new RegExp(CONTOSO.users.alice),
      /exchange\/namprd11-001-01/,
      /proxy address/,
    ],
    headline: 'Accepted by Microsoft Graph, verifying',
    succeeded: [/Entra will retry provisioning Alice Smith/],
    notFound: 'retry-provisioning ghost@contoso.com',
    blocked: {
      command: 'retry-provisioning bob@contoso.com',
      reason: /no unresolved service provisioning errors/,
    },
  },
  {
    command: 'reprocess-license "Alice Smith"',
    kind: 'reprocessLicenseAssignment',
    target: CONTOSO.users.alice,
    confirms: [/Alice Smith/, /CountViolation/],
    headline: 'Accepted by Microsoft Graph, verifying',
    succeeded: [/ENTERPRISEPREMIUM: Active, from group Licensing - Microsoft 365 E5/],
    notFound: 'reprocess-license "Nobody Here"',
    blocked: { command: 'reprocess-license bob@contoso.com', reason: /no licence assignments/ },
  },
  {
    command: 'retry-cloudpc-policy "Frontline shift workers"',
    kind: 'retryCloudPcPolicy',
    target: CONTOSO.policies.frontline,
    confirms: [/Frontline shift workers/, /2 of 3/],
    headline: 'Accepted by Microsoft Graph, verifying',
    succeeded: [/accepted the retry/, /HTTP 20[24]/],
    notFound: 'retry-cloudpc-policy "No such policy"',
    blocked: {
      command: 'retry-cloudpc-policy "Engineering dedicated"',
      reason: /only for Frontline shared policies/,
    },
  },
  {
    command: `reprocess-access-request ${CONTOSO.requests.failed}`,
    kind: 'reprocessAccessRequest',
    target: CONTOSO.requests.failed,
    confirms: [/Sales tools/, /delivery failed/, /Alice Smith/],
    headline: 'Accepted by Microsoft Graph, verifying',
    succeeded: [/accepted the request to deliver Sales tools/],
    notFound: 'reprocess-access-request 40000000-0000-4000-8000-0000000000ee',
    blocked: {
      command: `reprocess-access-request ${CONTOSO.requests.delivered}`,
      reason: /Only requests in DeliveryFailed/,
    },
  },
  {
    command: 'provision-on-demand alice@contoso.com --app Salesforce',
    kind: 'provisionOnDemand',
    target: CONTOSO.users.alice,
    confirms: [/Salesforce/, /salesforce\.a1b2c3/, /USER_OUTBOUND/],
    headline: 'Succeeded',
    succeeded: [/Result/, /Success/, /provisioned to Salesforce/],
    notFound: 'provision-on-demand alice@contoso.com --app "No Such App"',
    blocked: {
      command: 'provision-on-demand alice@contoso.com --app Workday --job workday.in1',
      reason: /No synchronization rule/,
    },
  },
];

describe.each(ACTIONS)('$command', (c) => {
  it('confirms the target, signs the approver in, runs once on their behalf and shows the outcome to everyone', async () => {
    const sent = await command(h, c.command);
    const text = cardText(sent.card);
    for (const re of c.confirms) expect(text).toMatch(re);
    expect(cardActions(sent.card).map((a) => a.verb)).toEqual(['approve', 'reject', 'cancel']);
    expect(Object.keys(cardActions(sent.card)[0]?.data ?? {})).toEqual(['rid']);

    const login = await click(h, sent, 'approve', PEOPLE.ada);
    expect(login.statusCode).toBe(401);
    expect(login.type).toBe('application/vnd.microsoft.activity.loginRequest');
    expect(login.value).toMatchObject({ tokenExchangeResource: { uri: `api://botid-${CONTOSO.clientId}` } });
    expect(h.graph.writes()).toHaveLength(0);

    const done = await approve(h, sent);
    expect(done.statusCode).toBe(200);
    expect(done.type).toBe('application/vnd.microsoft.card.adaptive');
    const final = cardText(done.value);
    expect(final.startsWith(c.headline)).toBe(true);
    expect(final).not.toMatch(c.headline === 'Succeeded' ? /verifying/ : /Succeeded/);
    expect(final).toMatch(/approved by Ada Admin/);
    for (const re of c.succeeded) expect(final).toMatch(re);

    const writes = h.graph.writes();
    expect(writes).toHaveLength(1);
    expect(writes[0]?.token).toMatchObject({ oid: CONTOSO.admins.ada, idtyp: 'user' });
    expect(h.graph.callCount(c.kind, c.target)).toBe(1);
    expect(final).toContain(String(writes[0]?.requestId));

    const update = await h.connector.waitFor((r) => r.kind === 'update' && r.activityId === sent.cardId);
    expect(cardText(attachedCard(update)).startsWith(c.headline)).toBe(true);
    const reply = await outcomeReply(h, c.headline);
    expect(cardText(reply)).toContain(String(writes[0]?.requestId));
  });

  it('says clearly when the target does not exist, and offers nothing to approve', async () => {
    const sent = await command(h, c.notFound);
    expect(cardText(sent.card)).toMatch(/^Not found/);
    expect(cardActions(sent.card)).toHaveLength(0);
    expect(h.graph.writes()).toHaveLength(0);
  });

  it('explains a failed precondition and shows no Approve button', async () => {
    const sent = await command(h, c.blocked.command);
    expect(cardText(sent.card)).toMatch(c.blocked.reason);
    expect(cardActions(sent.card)).toHaveLength(0);
    expect(h.graph.writes()).toHaveLength(0);
  });

  it('reports a Graph 403 as the approver lacking the Entra role, with the request-id', async () => {
    const sent = await command(h, c.command);
    const done = await approve(h, sent, PEOPLE.nora);
    const text = cardText(done.value);
    expect(text).toMatch(/^Failed/);
    expect(text).toMatch(/Nora NoRole does not hold an Entra role/);
    expect(text).toContain('Authorization_RequestDenied');
    const write = h.graph.writes()[0];
    expect(write?.status).toBe(403);
    expect(text).toContain(String(write?.requestId));
    expect(h.graph.callCount(c.kind)).toBe(0);
  });

  it('runs once when Approve is clicked twice at the same moment and again later', async () => {
    const sent = await command(h, c.command);
    const [first, second] = await Promise.all([approve(h, sent), approve(h, sent)]);
    const third = await approve(h, sent);
    expect(h.graph.attemptCount(c.kind)).toBe(1);
    for (const body of [first, second, third]) {
      const text = cardText(body.value);
      expect(text.startsWith(c.headline) || text.startsWith('Running')).toBe(true);
    }
    expect(cardText(third.value).startsWith(c.headline)).toBe(true);
  });
});
