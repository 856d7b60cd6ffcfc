import { CONTOSO, CONTOSO_DELEGATED_SCOPES, contosoBotRegistration, failedRequestBacklog } from '../fakes';
import { cardActions, cardText } from './card-helpers';
import { approve, command } from './flows';
import { startHarness, type Harness } from './harness';

jest.setTimeout(30_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h.close();
});

/** Runs a command, approves it as Ada and returns the final card's text. */
async function run(text: string): Promise<string> {
  const sent = await command(h, text);
  const done = await approve(h, sent);
  return cardText(done.value);
}

function alice() {
  const user = h.graph.findUser(CONTOSO.users.alice);
  if (!user) throw new Error('Alice is not in the seed');
  return user;
}

describe('actions without parameters go without a request body', () => {
  it.each([
    ['retry-provisioning alice@contoso.com', 'retryServiceProvisioning'],
    ['reprocess-license alice@contoso.com', 'reprocessLicenseAssignment'],
    [`reprocess-access-request ${CONTOSO.requests.failed}`, 'reprocess'],
  ])('%s', async (text, action) => {
    await run(text);
    const write = h.graph.writes().find((w) => w.path.endsWith(`/${action}`));
    expect(write?.status).toBeLessThan(300);
    expect(write?.body).toBeUndefined();
    expect(write?.headers['content-type']).toBeUndefined();
  });
});

describe('reprocess-license reports the licence states read after the reprocess', () => {
  it('reads them with $select, since the answer carries none, and lists them', async () => {
    const text = await run('reprocess-license alice@contoso.com');
    expect(text).toMatch(/^Accepted by Microsoft Graph/);
    expect(text).toMatch(/none of 2 licence assignments shows an error/);
    // Named as on the confirmation: the product from subscribedSkus, the group by its name.
    expect(text).toMatch(/ENTERPRISEPREMIUM: Active, from group Licensing - Microsoft 365 E5/);
    expect(text).toMatch(/DESKLESSPACK: Active, direct/);
    const post = h.graph.writes()[0];
    expect(post?.body).toBeUndefined();
    // The read after the write: the confirmation's diagnosis read the same user before it, app-only.
    const after = h.graph.requests.slice(post ? h.graph.requests.indexOf(post) : 0);
    const read = after.find((r) => r.method === 'GET' && r.path === `/users/${CONTOSO.users.alice}`);
    expect(read?.query['$select']).toBe('licenseAssignmentStates');
    expect(read?.token).toMatchObject({ oid: CONTOSO.admins.ada, idtyp: 'user' });
  });

  it('says processing takes minutes when the states still show errors', async () => {
    alice().licenseStaysInError = true;
    const text = await run('reprocess-license alice@contoso.com');
    // Graph accepted it; verification, not this read, decides whether the errors are gone.
    expect(text).toMatch(/^Accepted by Microsoft Graph, verifying/);
    expect(text).toMatch(/1 of 2 licence assignments still shows an error/);
    expect(text).toMatch(/several minutes/);
    expect(text).toMatch(/Error \(CountViolation\)/);
  });

  it('says the states could not be read, with the read’s request-id, when the read-back fails', async () => {
    const sent = await command(h, 'reprocess-license alice@contoso.com');
    h.graph.failNext({
      method: 'GET',
      path: `/users/${CONTOSO.users.alice}`,
      status: 403,
      code: 'Authorization_RequestDenied',
      message: 'Insufficient privileges to complete the operation.',
    });
    const text = cardText((await approve(h, sent)).value);
    const read = h.graph.requests.find((r) => r.method === 'GET' && r.status === 403);
    expect(text).toMatch(/^Accepted by Microsoft Graph, verifying/);
    expect(text).toMatch(/accepted the reprocess/);
    expect(text).toMatch(/reading their states afterwards failed \(Authorization_RequestDenied/);
    expect(text).toContain(String(read?.requestId));
    expect(text).not.toMatch(/no assignment is in error|none of/);
  });
});

describe('provision-on-demand shows a skipped user as Skipped, with the reason from the key', () => {
  it('out of scope: says how to bring the user in scope', async () => {
    h.graph.store.provisionOnDemandResults[CONTOSO.users.alice] = {
      result: 'Skipped',
      errorCode: 'NotEffectivelyEntitled',
      reason: 'The user is not assigned to the application.',
    };
    const text = await run('provision-on-demand alice@contoso.com --app Salesforce');
    expect(text).toMatch(/^Skipped/);
    expect(text).toMatch(/Entra skipped Alice Smith: The user is not assigned to the application/);
    expect(text).toMatch(/NotEffectivelyEntitled/);
    expect(text).toMatch(/assign the user, or a group they are in, to the app/);
    expect(text).not.toMatch(/provisioned to Salesforce/);
  });

  it('already in sync (RedundantExport): says nothing needed to change', async () => {
    h.graph.store.provisionOnDemandResults[CONTOSO.users.alice] = 'Skipped';
    const text = await run('provision-on-demand alice@contoso.com --app Salesforce');
    expect(text).toMatch(/^Skipped/);
    expect(text).toMatch(/already match \(RedundantExport\)/);
    expect(text).toMatch(/already in sync with Salesforce/);
  });
});

describe('a delegated permission the app registration is not consented for', () => {
  it('makes Graph refuse the approver’s call, and the card says the consent may be missing', async () => {
    h.entra.registerClient(
      contosoBotRegistration({
        roles: ['User.Read.All'],
        delegatedScopes: CONTOSO_DELEGATED_SCOPES.filter((s) => s !== 'Synchronization.ReadWrite.All'),
      }),
    );
    const text = await run('provision-on-demand alice@contoso.com --app Salesforce');
    const write = h.graph.writes()[0];
    expect(write?.status).toBe(403);
    expect(write?.token?.scp?.split(' ')).not.toContain('Synchronization.ReadWrite.All');
    expect(text).toMatch(/^Failed/);
    expect(text).toMatch(/not consented for the delegated permission Synchronization\.ReadWrite\.All/);
    expect(text).toContain('Authorization_RequestDenied');
    expect(text).toContain(String(write?.requestId));
    expect(h.graph.callCount('provisionOnDemand')).toBe(0);
  });

  it.each([
    ['retry-provisioning alice@contoso.com', 'User.ReadWrite.All'],
    [`reprocess-access-request ${CONTOSO.requests.failed}`, 'EntitlementManagement.ReadWrite.All'],
  ])('%s needs %s in the token', async (text, scope) => {
    h.entra.registerClient(
      contosoBotRegistration({
        roles: ['User.Read.All'],
        delegatedScopes: CONTOSO_DELEGATED_SCOPES.filter((s) => s !== scope),
      }),
    );
    expect(await run(text)).toMatch(/^Failed/);
    expect(h.graph.writes()[0]?.status).toBe(403);
  });
});

describe('look-ups use only the queries their API pages document', () => {
  it('reprocess-access-request --user lists failed requests by state and picks the user’s in code', async () => {
    const sent = await command(h, 'reprocess-access-request --user alice@contoso.com');
    const text = cardText(sent.card);
    expect(text).toContain('Sales tools');
    expect(text).toContain(CONTOSO.requests.failed);
    const list = h.graph.requests.find(
      (r) => r.method === 'GET' && r.path === '/identityGovernance/entitlementManagement/assignmentRequests',
    );
    expect(list?.query['$filter']).toBe("state eq 'deliveryFailed' or state eq 'partiallyDelivered'");
    expect(list?.status).toBe(200);
  });

  it('reprocess-access-request --user will not pick the newest from part of the failed requests', async () => {
    h.graph.seed({
      accessPackageAssignmentRequests: [
        ...failedRequestBacklog(5_000, new Date(h.clock.now())),
        ...(h.graph.store.accessPackageAssignmentRequests ?? []),
      ],
    });
    const sent = await command(h, 'reprocess-access-request --user alice@contoso.com');
    const text = cardText(sent.card);
    expect(text).toMatch(/^Too many failed requests to search/);
    expect(text).toMatch(/more than 5,000 access package requests in DeliveryFailed or PartiallyDelivered/);
    expect(text).toMatch(/Name the request by its id instead: reprocess-access-request <request-id>/);
    expect(cardActions(sent.card)).toHaveLength(0);
    expect(h.graph.writes()).toHaveLength(0);
  });

  it('provision-on-demand --app <appId> finds the app through its appId alternate key', async () => {
    const appId = '51000000-0000-4000-8000-000000000001';
    const sent = await command(h, `provision-on-demand alice@contoso.com --app ${appId}`);
    expect(cardText(sent.card)).toContain('Salesforce');
    const byKey = h.graph.requests.find((r) => r.path === `/servicePrincipals(appId='${appId}')`);
    expect(byKey?.status).toBe(200);
  });

  it('--group on retry-provisioning reads the group’s users as an advanced query, as the cast requires', async () => {
    const sent = await command(h, `retry-provisioning --group ${CONTOSO.groups.e5}`);
    expect(cardText(sent.card)).not.toMatch(/^Not found/);
    const members = h.graph.requests.find((r) => r.path.endsWith('/members/microsoft.graph.user'));
    expect(members?.headers['consistencylevel']).toBe('eventual');
    expect(members?.query['$count']).toBe('true');
    expect(members?.status).toBe(200);
  });
});
