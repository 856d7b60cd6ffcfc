import { CONTOSO, failedRequestBacklog, provisioningLog, type TeamsUser } from '../fakes';
import { cardActions, cardText } from './card-helpers';
import { click, command } from './flows';
import { remediate } from './notifications-helpers';
import { PEOPLE, startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

/** A distribution group that still holds Alice's address, as Exchange's error says another recipient does. */
const HOLDER = {
  id: '60000000-0000-4000-8000-0000000000a5',
  displayName: 'Sales team',
  memberIds: [],
  mail: 'sales@contoso.com',
  proxyAddresses: ['SMTP:sales@contoso.com', 'smtp:alice@contoso.com'],
};

const CAROL: TeamsUser = { name: "Carol O'Brien", aadObjectId: CONTOSO.users.carol };

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

function titles(card: unknown): string[] {
  return cardActions(card).map((a) => a.title);
}

describe('diagnose on a user', () => {
  beforeEach(() => {
    h.graph.store.groups.push(structuredClone(HOLDER));
    const sku = h.graph.store.subscribedSkus[0];
    if (!sku) throw new Error('the Contoso seed has a subscribed SKU');
    sku.consumedUnits = 25;
  });

  it('shows the Exchange address conflict and the licence CountViolation, each with its facts and button', async () => {
    const sent = await command(h, 'diagnose alice@contoso.com');
    const text = cardText(sent.card);
    expect(text).toMatch(/^Diagnosis · User\nDiagnosis of Alice Smith \(alice@contoso\.com\)/);
    expect(text).toMatch(/4 failures found; for 2 of them a retry cannot help until something else is fixed/);
    expect(text).toMatch(/Account\nenabled\nUsage location\n/);

    expect(text).toMatch(
      /exchange\/namprd11-001-01: The proxy address SMTP:alice@contoso\.com is already used by another recipient\.\nSince \{\{DATE\(2026-11-21T12:00:00Z, SHORT\)\}\} \{\{TIME\(2026-11-21T12:00:00Z\)\}\}, 24 h before this diagnosis/,
    );
    expect(text).toMatch(/Object to fix: group Sales team \(sales@contoso\.com\)/);
    expect(text).toMatch(/Holder of alice@contoso\.com\ngroup Sales team/);
    expect(JSON.stringify(sent.card)).toContain(`groupId/${HOLDER.id}`);

    expect(text).toMatch(
      /ENTERPRISEPREMIUM \(from group Licensing - Microsoft 365 E5\): Error, CountViolation\nLast updated .*\nA retry cannot help until this is fixed\./,
    );
    expect(text).toMatch(/Seats of ENTERPRISEPREMIUM\n25 assigned of 25 enabled/);
    expect(text).toMatch(/Object to fix: product ENTERPRISEPREMIUM/);
    // Product names and seats come from one read of the tenant's products.
    expect(h.graph.requests.filter((r) => r.path === '/subscribedSkus')).toHaveLength(1);

    expect(text).toMatch(
      /Sales tools request: delivery failed\nCompleted \{\{DATE\(2026-11-21T12:00:00Z, SHORT\)\}\} \{\{TIME\(2026-11-21T12:00:00Z\)\}\}, 24 h before this diagnosis/,
    );
    expect(text).toMatch(/A retry can help now\.\nCause: Entitlement management could not add the user/);

    expect(text).toMatch(
      /Alice Smith in Salesforce: SalesforceDuplicateUserName: The name of Alice Smith is already used/,
    );

    expect(titles(sent.card)).toEqual([
      'Remediate: retry-provisioning',
      'Remediate: reprocess-license',
      'Remediate: reprocess-access-request',
      'Remediate: provision-on-demand',
    ]);
    expect(
      cardActions(sent.card).every((a) => a.verb === 'remediate' && typeof a.data.fid === 'string'),
    ).toBe(true);
  });

  it('answers to why and explain, and to a display name or --user, with the same card', async () => {
    const first = cardText((await command(h, 'diagnose alice@contoso.com')).card);
    for (const text of ['why alice@contoso.com', 'explain --user "Alice Smith"', 'WHY "Alice Smith"']) {
      expect(cardText((await command(h, text)).card)).toBe(first);
    }
  });

  it('reads with the app’s own identity and changes nothing', async () => {
    await command(h, 'diagnose alice@contoso.com');
    const graphCalls = h.graph.requests;
    expect(graphCalls.length).toBeGreaterThan(0);
    expect(graphCalls.every((r) => r.method === 'GET')).toBe(true);
    expect(graphCalls.filter((r) => r.path.startsWith('/users/')).map((r) => r.path)).toEqual([
      '/users/alice@contoso.com',
    ]);
    expect(h.graph.callCount('retryServiceProvisioning')).toBe(0);
  });

  it('starts the normal confirmation from a button, with the clicker as requester', async () => {
    const sent = await command(h, 'diagnose alice@contoso.com', PEOPLE.ada);
    const index = titles(sent.card).indexOf('Remediate: reprocess-license');
    const answer = await remediate(h, sent, index, PEOPLE.reggie);
    const text = cardText(answer.value);
    expect(text).toMatch(/Reprocess licence assignments for Alice Smith/);
    expect(text).toMatch(/A retry cannot help until this is fixed/);
    expect(text).toMatch(/Reggie Requester/);
    expect(titles(answer.value)).toEqual(['Retry anyway', 'Reject', 'Cancel']);
    expect(h.graph.callCount('reprocessLicenseAssignment')).toBe(0);

    const again = await remediate(h, sent, index, PEOPLE.reggie);
    expect(again.value['body']).toEqual(answer.value['body']);
  });
});

describe('diagnose on targets without failures or with failures no button fixes', () => {
  it('says plainly that a healthy user has no failures, and offers no button', async () => {
    const carol = h.graph.findUser(CONTOSO.users.carol);
    if (!carol) throw new Error('the Contoso seed has Carol');
    carol.accountEnabled = false;
    const sent = await command(h, 'diagnose carol@contoso.com');
    expect(cardText(sent.card)).toMatch(/Account\ndisabled: sign-in is blocked/);
    expect(cardText(sent.card)).toMatch(
      /No failures found: no unresolved service provisioning error, no licence assignment in error, no access package request that failed delivery and no failed app provisioning in the last day\./,
    );
    expect(cardActions(sent.card)).toEqual([]);
  });

  it('shows a failed request past Graph’s 14-day reprocess window without a button, and says why', async () => {
    const sent = await command(h, 'why bob@contoso.com');
    const text = cardText(sent.card);
    expect(text).toMatch(/Finance reports request: delivery failed/);
    expect(text).toMatch(/completed 20 days ago and Graph reprocesses a request only within 14 days/);
    expect(text).toMatch(
      /No reprocess button: Graph reprocesses a request only within 14 days of its completion\./,
    );
    expect(text).toMatch(/A retry cannot help until this is fixed\./);
    expect(cardActions(sent.card)).toEqual([]);
  });

  it('lists a user assigned a licence directly, whose error no reprocess can fix', async () => {
    const alice = h.graph.findUser(CONTOSO.users.alice);
    const state = alice?.licenseAssignmentStates?.[0];
    if (!alice || !state) throw new Error('the Contoso seed gives Alice a licence in error');
    state.assignedByGroup = null;
    const text = cardText((await command(h, 'diagnose alice@contoso.com')).card);
    expect(text).toMatch(/ENTERPRISEPREMIUM \(assigned directly\): Error, CountViolation/);
    expect(text).toMatch(/reprocessing re-evaluates only group-based licences/);
  });

  it('refuses someone the approval policy does not know', async () => {
    const sent = await command(h, 'diagnose alice@contoso.com', CAROL);
    expect(cardText(sent.card)).toMatch(/^Not allowed\nOnly people the approval policy lets request/);
    expect(h.graph.requests.filter((r) => r.path.startsWith('/users/'))).toEqual([]);
  });

  it('never guesses between users of the same name, and diagnoses the one picked', async () => {
    const sent = await command(h, 'diagnose "Sam Lee"');
    expect(cardText(sent.card)).toMatch(/2 objects match "Sam Lee"\. Which one do you mean\?/);
    expect(titles(sent.card)).toEqual([
      'user Sam Lee (sam.lee@contoso.com)',
      'user Sam Lee (sam.lee2@contoso.com)',
    ]);
    const picked = await click(
      h,
      sent,
      'diagnose',
      PEOPLE.reggie,
      undefined,
      cardActions(sent.card)[1]?.data,
    );
    expect(cardText(picked.value)).toMatch(
      /^Diagnosis · User\nDiagnosis of Sam Lee \(sam\.lee2@contoso\.com\)/,
    );
    const refused = await click(h, sent, 'diagnose', CAROL, undefined, cardActions(sent.card)[1]?.data);
    expect(cardText(refused.value)).toMatch(/^Not allowed/);
  });
});

describe('diagnose on a policy, an access request and an app', () => {
  it('lists a Frontline policy’s failed Cloud PCs with the policy’s retry button', async () => {
    const sent = await command(h, 'diagnose "Frontline shift workers"');
    const text = cardText(sent.card);
    expect(text).toMatch(/Diagnosis · Cloud PC provisioning policy/);
    expect(text).toMatch(/Failed Cloud PCs\n2 of 3/);
    expect(text).toMatch(/Cloud PC CPC-FL-1: failed/);
    expect(text).toMatch(/Cloud PC CPC-FL-2: failed/);
    expect(titles(sent.card)).toEqual(['Remediate: retry-cloudpc-policy']);
  });

  it('gives an access request’s state and failure, and says a delivered one has none', async () => {
    const failed = cardText((await command(h, `diagnose ${CONTOSO.requests.failed}`)).card);
    expect(failed).toMatch(/Diagnosis · Access package request/);
    expect(failed).toMatch(/State\ndelivery failed\n/);
    expect(failed).toMatch(/A retry can help now\./);
    const delivered = await command(h, `explain --request ${CONTOSO.requests.delivered}`);
    expect(cardText(delivered.card)).toMatch(/No failures found: the request has not failed delivery\./);
  });

  it('says why an app’s provisioning job is in quarantine, and that no button of the bot fixes it', async () => {
    const job = h.graph.store.synchronizationJobs[CONTOSO.apps.salesforce]?.[0];
    if (!job) throw new Error('the Contoso seed gives Salesforce a provisioning job');
    job.status = {
      code: 'Quarantine',
      quarantine: {
        currentBegan: '2026-11-20T08:00:00Z',
        reason: 'EncounteredQuarantineException',
        error: { code: 'SalesforceInvalidCredentials', message: 'The admin credentials are not valid.' },
      },
    };
    const sent = await command(h, 'diagnose --app Salesforce');
    const text = cardText(sent.card);
    expect(text).toMatch(/Job salesforce\.a1b2c3 is in quarantine: EncounteredQuarantineException/);
    expect(text).toMatch(/The app’s provisioning job is in quarantine/);
    expect(text).toMatch(/Test Connection checks the admin credentials/);
    expect(text).toMatch(/No remediation of this bot acts on a whole provisioning job/);
    expect(titles(sent.card)).toEqual(['Remediate: provision-on-demand']);
  });

  it('lists the users an app failed to provision, each with a button that prepares provision-on-demand', async () => {
    const sent = await command(h, 'diagnose --app Salesforce');
    expect(cardText(sent.card)).toMatch(/Alice Smith in Salesforce: SalesforceDuplicateUserName/);
    const log = h.graph.requests.find((r) => r.path === '/auditLogs/provisioning');
    expect(log?.query['$filter']).toMatch(
      / and servicePrincipal\/id eq '50000000-0000-4000-8000-000000000001'$/,
    );
    const answer = await remediate(h, sent, 0, PEOPLE.reggie);
    expect(cardText(answer.value)).toMatch(/Provision Alice Smith \(alice@contoso\.com\) to Salesforce now/);
    expect(titles(answer.value)).toContain('Approve');
    expect(h.graph.callCount('provisionOnDemand')).toBe(0);
  });
});

describe('diagnose finding its target', () => {
  it('finds a policy by its id and an app by its name without a flag', async () => {
    const policy = cardText((await command(h, `diagnose ${CONTOSO.policies.frontline}`)).card);
    expect(policy).toMatch(/^Diagnosis · Cloud PC provisioning policy\nDiagnosis of Frontline shift workers/);
    const app = cardText((await command(h, 'why Workday')).card);
    expect(app).toMatch(/^Diagnosis · Enterprise app\nDiagnosis of Workday/);
    expect(app).toMatch(
      /No failures found: no provisioning job of the app is in quarantine or failed its last run, and no user failed to provision in the last day\./,
    );
  });

  it('asks which one when a name is a user and an app, and the flag settles it', async () => {
    h.graph.store.servicePrincipals.push({
      id: '50000000-0000-4000-8000-0000000000a1',
      appId: '51000000-0000-4000-8000-0000000000a1',
      displayName: 'Alice Smith',
    });
    const sent = await command(h, 'diagnose "Alice Smith"');
    expect(cardText(sent.card)).toMatch(/2 objects match "Alice Smith"/);
    expect(cardActions(sent.card).map((a) => [a.title, a.data])).toEqual([
      ['user Alice Smith (alice@contoso.com)', { kind: 'user', id: CONTOSO.users.alice }],
      [
        'app Alice Smith (appId 51000000-0000-4000-8000-0000000000a1)',
        { kind: 'app', id: '50000000-0000-4000-8000-0000000000a1' },
      ],
    ]);
    const user = cardText((await command(h, 'diagnose --user "Alice Smith"')).card);
    expect(user).toMatch(/^Diagnosis · User/);
  });

  it('says nothing matches, naming what it looked for', async () => {
    const text = cardText((await command(h, 'diagnose "Nobody Here"')).card);
    expect(text).toMatch(
      /No user, Cloud PC provisioning policy, access package request or app matches "Nobody Here"/,
    );
  });

  it('names a source Graph refuses, with its request-id, and still shows the rest', async () => {
    h.graph.failNext({
      path: '/identityGovernance/entitlementManagement/assignmentRequests',
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    const sent = await command(h, 'diagnose alice@contoso.com');
    const text = cardText(sent.card);
    expect(text).toMatch(
      /The access package requests could not be read: Microsoft Graph answered 403 \(Authorization_RequestDenied\)\. Their failures/,
    );
    // The request-id is for a support ticket: in the footer, not the body.
    expect(text.split('\n').at(-1)).toMatch(/request-id of the access package requests read [0-9a-f-]{36}/);
    expect(text).toMatch(/3 failures found/);
    expect(titles(sent.card)).toEqual([
      'Remediate: retry-provisioning',
      'Remediate: reprocess-license',
      'Remediate: provision-on-demand',
    ]);
  });
});

describe('diagnose in a tenant with more to read than one diagnosis reads', () => {
  /** Adds a backlog of other people's failed requests, so the tenant has `total` failed requests in all. */
  function failedRequestsInAll(total: number): void {
    const seeded = h.graph.store.accessPackageAssignmentRequests ?? [];
    const failed = seeded.filter((r) => r.state === 'deliveryFailed' || r.state === 'partiallyDelivered');
    h.graph.seed({
      accessPackageAssignmentRequests: [
        ...seeded,
        ...failedRequestBacklog(total - failed.length, new Date(h.clock.now())),
      ],
    });
  }

  it('says it read only the first 5,000 failed requests, and still shows what it found', async () => {
    failedRequestsInAll(5_001);
    const text = cardText((await command(h, 'diagnose alice@contoso.com')).card);
    expect(text).toMatch(
      /Only the first 5,000 of the tenant's failed access package requests were read: Microsoft Graph lists more than one diagnosis reads, so failures among the rest are not shown\./,
    );
    expect(text).toMatch(/^4 failures found/m);
    expect(text).toContain('Sales tools');
  });

  it('says when it read only the first 5,000 of an app’s failures in the provisioning log', async () => {
    const now = new Date(h.clock.now());
    h.graph.seed({
      provisioningLogs: [
        ...(h.graph.store.provisioningLogs ?? []),
        ...Array.from({ length: 5_000 }, (_, n) =>
          provisioningLog(now, 3_600_000, `log-backlog-${n}`, `7d${n}`, `Field worker ${n}`, 'failure'),
        ),
      ],
    });
    const text = cardText((await command(h, 'diagnose --app Salesforce')).card);
    expect(text).toMatch(
      /Only the first 5,000 of the provisioning log's failures of the last day were read: Microsoft Graph lists more than one diagnosis reads/,
    );
  });

  it('counts a policy’s failed Cloud PCs among the first 10,000 only, and says the policy has more', async () => {
    h.graph.seed({
      cloudPcs: [
        ...(h.graph.store.cloudPcs ?? []),
        ...Array.from({ length: 10_000 }, (_, n) => ({
          id: `cpc-backlog-${n}`,
          displayName: `CPC-FL-B${n}`,
          status: 'provisioned' as const,
          provisioningPolicyId: CONTOSO.policies.frontline,
          userPrincipalName: '',
        })),
      ],
    });
    const text = cardText((await command(h, `diagnose ${CONTOSO.policies.frontline}`)).card);
    expect(text).toMatch(/Failed Cloud PCs\n2 of the first 10,000 read \(the policy has more\)/);
    expect(text).toMatch(/Only the first 10,000 of the policy's Cloud PCs were read/);
  });

  it('says nothing of the kind when the failed requests end at 5,000', async () => {
    failedRequestsInAll(5_000);
    const text = cardText((await command(h, 'diagnose alice@contoso.com')).card);
    expect(text).not.toMatch(/Only the first/);
    expect(text).toMatch(/^4 failures found/m);
  });
});

describe('help for diagnose', () => {
  it('lists diagnose among the commands, and explains it under each of its names', async () => {
    expect(cardText((await command(h, 'help')).card)).toMatch(
      /diagnose \[<target>\] \[--user <user>\] \[--policy <policy>\] \[--request <request-id>\] \[--app <app>\]\nEvery failure of a user, policy, access request or app/,
    );
    const why = cardText((await command(h, 'help why')).card);
    expect(why).toMatch(/why, explain/);
    expect(why).toMatch(/none: this command changes nothing in Entra/);
    expect(cardText((await command(h, 'help explain')).card)).toBe(why);
  });
});
