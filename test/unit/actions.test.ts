import type { RemediationAction, Resolution } from '../../src/domain/actions/action';
import {
  interpretOnDemand,
  pickRule,
  provisionOnDemand,
  type ProvisionOnDemandTarget,
} from '../../src/domain/actions/provision-on-demand/action';
import { defaultRegistry } from '../../src/domain/actions/registry';
import { reprocessLicense } from '../../src/domain/actions/reprocess-license/action';
import { retryCloudPcPolicy } from '../../src/domain/actions/retry-cloudpc-policy/action';
import { retryProvisioning } from '../../src/domain/actions/retry-provisioning/action';
import type { GraphResult } from '../../src/infra/graph/graph-api';
import { GraphFailure } from '../../src/infra/graph/graph-failure';
import { ScriptedGraph } from './scripted-graph';
import { ManualClock } from '../fakes/manual-clock';

const NOW = new Date('2026-11-22T12:00:00Z');
const registry = defaultRegistry(new ManualClock(NOW.getTime()));
const action = (name: string) => registry.find(name) as RemediationAction;
const ok = (status: number, body?: unknown): GraphResult => ({
  status,
  body,
  requestId: 'rid-1',
  date: 'Sun, 22 Nov 2026 12:00:00 GMT',
});

const ALICE = {
  id: '11111111-1111-1111-1111-111111111111',
  displayName: 'Alice Smith',
  userPrincipalName: 'alice@contoso.com',
  serviceProvisioningErrors: [
    {
      serviceInstance: 'exchange/namprd01',
      createdDateTime: '2026-11-20T10:00:00Z',
      isResolved: false,
      errorDetail:
        '<ServiceInstance Name="exchange/namprd01"><ObjectErrors><ErrorRecord><ErrorCode>ExDuplicateProxyAddress</ErrorCode><ErrorDescription>Proxy address &quot;SMTP:alice@contoso.com&quot; conflict</ErrorDescription></ErrorRecord></ObjectErrors></ServiceInstance>',
    },
    { serviceInstance: 'teams', isResolved: true, errorDetail: 'old' },
  ],
  licenseAssignmentStates: [
    { skuId: 'sku-e5', state: 'Error', error: 'CountViolation', assignedByGroup: 'group-1' },
    { skuId: 'sku-f3', state: 'Active', error: null, assignedByGroup: null },
    { skuId: 'sku-ems', state: 'Active', error: 'None', assignedByGroup: 'group-1' },
  ],
};

function resolved<T>(r: Resolution<T>) {
  if (r.kind !== 'resolved') throw new Error(`expected resolved, got ${r.kind}`);
  return r;
}

describe('execute: the documented Graph request of each action', () => {
  const cases: Array<[string, unknown, { path: string; version: string; body: unknown }]> = [
    [
      'retry-provisioning',
      { user: { id: ALICE.id } },
      { path: `/users/${ALICE.id}/retryServiceProvisioning`, version: 'v1.0', body: undefined },
    ],
    [
      'reprocess-license',
      { user: { id: ALICE.id } },
      { path: `/users/${ALICE.id}/reprocessLicenseAssignment`, version: 'v1.0', body: undefined },
    ],
    [
      'retry-cloudpc-policy',
      { policy: { id: 'pol-1' }, failedCloudPcs: 2 },
      {
        path: '/deviceManagement/virtualEndpoint/provisioningPolicies/pol-1/retry',
        version: 'beta',
        body: {},
      },
    ],
    [
      'reprocess-access-request',
      { requestId: 'req-1' },
      {
        path: '/identityGovernance/entitlementManagement/assignmentRequests/req-1/reprocess',
        version: 'v1.0',
        body: undefined,
      },
    ],
    [
      'provision-on-demand',
      { user: { id: ALICE.id }, servicePrincipal: { id: 'sp-1' }, jobId: 'job.1', ruleId: 'rule-1' },
      {
        path: '/servicePrincipals/sp-1/synchronization/jobs/job.1/provisionOnDemand',
        version: 'v1.0',
        body: {
          parameters: [{ ruleId: 'rule-1', subjects: [{ objectId: ALICE.id, objectTypeName: 'User' }] }],
        },
      },
    ],
  ];
  it.each(cases)('%s', async (name, target, expected) => {
    const graph = new ScriptedGraph({
      [`POST ${expected.path}`]: ok(204),
      [`GET /users/${ALICE.id}`]: { licenseAssignmentStates: [] },
    });
    await action(name).execute(target, graph);
    expect(graph.calls[0]).toEqual({
      method: 'POST',
      path: expected.path,
      version: expected.version,
      query: {},
      body: expected.body,
    });
  });

  it('reprocess-license reads the licence states back with $select, since the answer has none', async () => {
    const graph = new ScriptedGraph({
      [`POST /users/${ALICE.id}/reprocessLicenseAssignment`]: ok(200, { id: ALICE.id, displayName: 'Alice' }),
      [`GET /users/${ALICE.id}`]: { licenseAssignmentStates: ALICE.licenseAssignmentStates },
    });
    const result = await reprocessLicense.execute({ user: { id: ALICE.id } }, graph);
    expect(graph.calls.map((c) => [c.method, c.path, c.query])).toEqual([
      ['POST', `/users/${ALICE.id}/reprocessLicenseAssignment`, {}],
      ['GET', `/users/${ALICE.id}`, { $select: 'licenseAssignmentStates' }],
    ]);
    expect(result.readBack).toEqual({
      ok: true,
      body: { licenseAssignmentStates: ALICE.licenseAssignmentStates },
    });
  });

  it('reprocess-license keeps the accepted write when the read-back fails, with the read’s request-id', async () => {
    const graph = new ScriptedGraph({
      [`POST /users/${ALICE.id}/reprocessLicenseAssignment`]: ok(200, { id: ALICE.id }),
      [`GET /users/${ALICE.id}`]: new GraphFailure(
        503,
        'serviceNotAvailable',
        'Try later',
        'rid-read',
        undefined,
      ),
    });
    const result = await reprocessLicense.execute({ user: { id: ALICE.id } }, graph);
    expect(result.status).toBe(200);
    expect(result.readBack).toEqual({
      ok: false,
      code: 'serviceNotAvailable',
      message: 'Try later',
      requestId: 'rid-read',
    });
  });

  it('percent-encodes ids taken from input', async () => {
    const graph = new ScriptedGraph({ 'POST /users/a%2Fb%3F/retryServiceProvisioning': ok(204) });
    await retryProvisioning.execute({ user: { id: 'a/b?' }, unresolvedErrors: 1 } as never, graph);
    expect(graph.calls[0]?.path).toBe('/users/a%2Fb%3F/retryServiceProvisioning');
  });
});

describe('resolve: lookups, confirmation facts and preconditions', () => {
  it('retry-provisioning lists unresolved errors only', async () => {
    const graph = new ScriptedGraph({ [`GET /users/alice%40contoso.com`]: ALICE });
    const r = resolved(
      await retryProvisioning.resolve({ positional: { user: 'alice@contoso.com' }, flags: {} }, graph),
    );
    expect(r.confirmation.problems).toEqual([
      'exchange/namprd01 since 2026-11-20T10:00:00Z: Proxy address "SMTP:alice@contoso.com" conflict (ExDuplicateProxyAddress)',
    ]);
    expect(r.confirmation.facts).toEqual(
      expect.arrayContaining([
        { title: 'Object id', value: ALICE.id },
        { title: 'UPN', value: 'alice@contoso.com' },
      ]),
    );
    expect(r.confirmation.blocked).toBeUndefined();
  });

  it('retry-provisioning is blocked when nothing failed', async () => {
    const graph = new ScriptedGraph({
      [`GET /users/${ALICE.id}`]: { ...ALICE, serviceProvisioningErrors: [] },
    });
    const r = resolved(await retryProvisioning.resolve({ positional: { user: ALICE.id }, flags: {} }, graph));
    expect(r.confirmation.blocked).toMatch(/nothing to retry/);
  });

  it('a display name with a quote is escaped in the OData filter', async () => {
    const graph = new ScriptedGraph({ 'GET /users': { value: [] } });
    const r = await reprocessLicense.resolve({ positional: { user: "Sean O'Brien" }, flags: {} }, graph);
    expect(r.kind).toBe('not-found');
    expect(graph.calls[0]?.query.$filter).toBe("displayName eq 'Sean O''Brien'");
  });

  it('several matching users become a pick list that re-runs with each object id', async () => {
    const twin = {
      ...ALICE,
      id: '22222222-2222-2222-2222-222222222222',
      userPrincipalName: 'alice.smith@contoso.com',
    };
    const graph = new ScriptedGraph({ 'GET /users': { value: [ALICE, twin] } });
    const r = await retryProvisioning.resolve({ positional: { user: 'Alice Smith' }, flags: {} }, graph);
    expect(r.kind).toBe('ambiguous');
    if (r.kind !== 'ambiguous') return;
    expect(r.candidates.map((c) => c.args.positional.user)).toEqual([ALICE.id, twin.id]);
  });

  it('a UPN that is not found falls back to mail, then says not found', async () => {
    const graph = new ScriptedGraph({ 'GET /users': { value: [] } });
    const r = await retryProvisioning.resolve(
      { positional: { user: 'ghost@contoso.com' }, flags: {} },
      graph,
    );
    expect(r).toEqual({
      kind: 'not-found',
      message: expect.stringMatching(/No user matches "ghost@contoso.com"/),
    });
  });

  it('reprocess-license shows licence errors', async () => {
    const graph = new ScriptedGraph({ [`GET /users/${ALICE.id}`]: ALICE });
    const r = resolved(await reprocessLicense.resolve({ positional: { user: ALICE.id }, flags: {} }, graph));
    expect(r.confirmation.problems).toEqual(['sku-e5: Error (CountViolation), from group group-1']);
  });

  const POLICIES = '/deviceManagement/virtualEndpoint/provisioningPolicies';
  it.each([
    ['shared', undefined],
    ['sharedByEntraGroup', undefined],
    ['dedicated', /only for Frontline shared/],
  ])('retry-cloudpc-policy with a %s policy', async (type, blocked) => {
    const graph = new ScriptedGraph({
      [`GET ${POLICIES}`]: { value: [{ id: 'pol-1', displayName: 'Frontline A', provisioningType: type }] },
      'GET /deviceManagement/virtualEndpoint/cloudPCs': {
        value: [
          { id: 'c1', status: 'failed' },
          { id: 'c2', status: 'provisioned' },
        ],
      },
    });
    const r = resolved(
      await retryCloudPcPolicy.resolve({ positional: { policy: 'frontline a' }, flags: {} }, graph),
    );
    expect(r.confirmation.facts).toContainEqual({ title: 'Failed Cloud PCs', value: '1 of 2' });
    if (blocked) expect(r.confirmation.blocked).toMatch(blocked);
    else expect(r.confirmation.blocked).toBeUndefined();
    expect(graph.calls.every((c) => c.version === 'beta')).toBe(true);
  });

  /** A Frontline policy with `count` Cloud PCs, the first `failed` of them failed. */
  function policyWith(count: number, failed: number): ScriptedGraph {
    return new ScriptedGraph({
      [`GET ${POLICIES}`]: {
        value: [{ id: 'pol-1', displayName: 'Frontline A', provisioningType: 'shared' }],
      },
      'GET /deviceManagement/virtualEndpoint/cloudPCs': {
        value: Array.from({ length: count }, (_, n) => ({
          id: `c${n}`,
          status: n < failed ? 'failed' : 'provisioned',
        })),
      },
    });
  }

  it.each([
    { count: 10_000, fact: '2 of 10,000', why: /^2 of 10,000 Cloud PCs of this policy failed/ },
    {
      count: 10_001,
      fact: '2 of the first 10,000 read (the policy has more)',
      why: /^2 of the first 10,000 Cloud PCs of this policy failed to provision; it has more/,
    },
  ])('retry-cloudpc-policy counts only the Cloud PCs it read ($count in the policy)', async (c) => {
    const r = resolved(
      await retryCloudPcPolicy.resolve(
        { positional: { policy: 'Frontline A' }, flags: {} },
        policyWith(c.count, 2),
      ),
    );
    expect(r.confirmation.facts).toContainEqual({ title: 'Failed Cloud PCs', value: c.fact });
    expect(r.confirmation.why).toMatch(c.why);
  });

  it.each([
    { count: 10_000, kind: 'resolved' },
    { count: 10_001, kind: 'unverifiable' },
  ])('retry-cloudpc-policy calls a policy with $count Cloud PCs, none failed, $kind', async (c) => {
    const target = { policy: { id: 'pol-1', displayName: 'Frontline A' }, failedCloudPcs: 2 };
    const finding = await retryCloudPcPolicy.verify?.(target, policyWith(c.count, 0));
    expect(finding?.kind).toBe(c.kind);
  });

  const REQ = '33333333-3333-3333-3333-333333333333';
  const request = (state: string, completedDaysAgo: number) => ({
    id: REQ,
    state,
    status: 'Failed',
    createdDateTime: '2026-11-01T00:00:00Z',
    completedDateTime: new Date(NOW.getTime() - completedDaysAgo * 86_400_000).toISOString(),
    accessPackage: { id: 'ap', displayName: 'Sales tools' },
    requestor: { objectId: ALICE.id, displayName: 'Alice Smith', email: 'alice@contoso.com' },
  });
  it.each([
    ['deliveryFailed', 1, undefined],
    ['partiallyDelivered', 13, undefined],
    ['delivered', 1, /Only requests in DeliveryFailed or PartiallyDelivered/],
    ['pendingApproval', 1, /Only requests in DeliveryFailed or PartiallyDelivered/],
    ['deliveryFailed', 15, /only within 14 days/],
  ])('reprocess-access-request in state %s, %i days after completion', async (state, days, blocked) => {
    const graph = new ScriptedGraph({
      [`GET /identityGovernance/entitlementManagement/assignmentRequests/${REQ}`]: request(state, days),
    });
    const r = resolved(
      await action('reprocess-access-request').resolve({ positional: { request: REQ }, flags: {} }, graph),
    );
    if (blocked) expect(r.confirmation.blocked).toMatch(blocked);
    else expect(r.confirmation.blocked).toBeUndefined();
    expect(r.confirmation.facts).toContainEqual({ title: 'Access package', value: 'Sales tools' });
  });

  it("reprocess-access-request --user picks the user's newest failed request, by the documented state filter", async () => {
    const older = { ...request('deliveryFailed', 3), id: 'old', createdDateTime: '2026-10-01T00:00:00Z' };
    const newer = { ...request('partiallyDelivered', 1), id: 'new', createdDateTime: '2026-11-10T00:00:00Z' };
    const delivered = { ...request('delivered', 1), id: 'ok', createdDateTime: '2026-11-15T00:00:00Z' };
    const someoneElse = {
      ...request('deliveryFailed', 1),
      id: 'bob',
      createdDateTime: '2026-11-20T00:00:00Z',
      requestor: { objectId: '22222222-2222-2222-2222-222222222222', displayName: 'Bob' },
    };
    const graph = new ScriptedGraph({
      'GET /users/alice%40contoso.com': ALICE,
      'GET /identityGovernance/entitlementManagement/assignmentRequests': {
        value: [older, delivered, someoneElse, newer],
      },
    });
    const r = resolved(
      await action('reprocess-access-request').resolve(
        { positional: {}, flags: { user: 'alice@contoso.com' } },
        graph,
      ),
    );
    expect((r.target as { requestId: string }).requestId).toBe('new');
    expect(graph.calls[1]?.query.$filter).toBe("state eq 'deliveryFailed' or state eq 'partiallyDelivered'");
  });

  it('reprocess-access-request says not found for a missing or malformed id', async () => {
    const graph = new ScriptedGraph({
      'GET /identityGovernance/entitlementManagement/assignmentRequests/nope': new GraphFailure(
        400,
        'BadRequest',
        'Invalid id',
        'r',
        undefined,
      ),
    });
    const r = await action('reprocess-access-request').resolve(
      { positional: { request: 'nope' }, flags: {} },
      graph,
    );
    expect(r.kind).toBe('not-found');
  });

  const SP = '44444444-4444-4444-4444-444444444444';
  const jobs = (n: number) => ({
    value: Array.from({ length: n }, (_, i) => ({
      id: `job.${i}`,
      templateId: 'scim',
      status: { code: 'Active' },
    })),
  });
  const schema = {
    synchronizationRules: [
      { id: 'rule-in', sourceDirectoryName: 'Workday', targetDirectoryName: 'Azure Active Directory' },
      { id: 'rule-out', sourceDirectoryName: 'Azure Active Directory', targetDirectoryName: 'App' },
    ],
  };
  it('provision-on-demand resolves app, single job and the Entra-sourced rule', async () => {
    const graph = new ScriptedGraph({
      [`GET /users/${ALICE.id}`]: ALICE,
      'GET /servicePrincipals': { value: [{ id: SP, appId: 'app-1', displayName: 'Salesforce' }] },
      [`GET /servicePrincipals/${SP}/synchronization/jobs`]: jobs(1),
      [`GET /servicePrincipals/${SP}/synchronization/jobs/job.0/schema`]: schema,
    });
    const r = resolved(
      await provisionOnDemand.resolve(
        { positional: { user: ALICE.id }, flags: { app: 'Salesforce' } },
        graph,
      ),
    );
    expect(r.target).toMatchObject({ jobId: 'job.0', ruleId: 'rule-out', servicePrincipal: { id: SP } });
  });

  it('provision-on-demand asks which job when the app has several', async () => {
    const graph = new ScriptedGraph({
      [`GET /users/${ALICE.id}`]: ALICE,
      [`GET /servicePrincipals/${SP}`]: { id: SP, displayName: 'Workday' },
      [`GET /servicePrincipals/${SP}/synchronization/jobs`]: jobs(2),
    });
    const r = await provisionOnDemand.resolve({ positional: { user: ALICE.id }, flags: { app: SP } }, graph);
    expect(r.kind).toBe('ambiguous');
    if (r.kind === 'ambiguous') expect(r.candidates.map((c) => c.args.flags.job)).toEqual(['job.0', 'job.1']);
  });

  it('provision-on-demand resolves an appId through servicePrincipals(appId=…)', async () => {
    const graph = new ScriptedGraph({
      [`GET /users/${ALICE.id}`]: ALICE,
      [`GET /servicePrincipals(appId='${SP}')`]: { id: 'sp-by-appid', displayName: 'Box' },
      ['GET /servicePrincipals/sp-by-appid/synchronization/jobs']: jobs(1),
      ['GET /servicePrincipals/sp-by-appid/synchronization/jobs/job.0/schema']: schema,
    });
    const r = resolved(
      await provisionOnDemand.resolve({ positional: { user: ALICE.id }, flags: { app: SP } }, graph),
    );
    expect(r.target).toMatchObject({ servicePrincipal: { id: 'sp-by-appid' } });
  });

  it.each([
    [[{ id: 'a', sourceDirectoryName: 'Microsoft Entra ID' }], 'a'],
    [[{ id: 'inbound', sourceDirectoryName: 'SAP' }], undefined],
    [
      [
        { id: 'x', sourceDirectoryName: 'SAP' },
        { id: 'y', sourceDirectoryName: 'Workday' },
      ],
      undefined,
    ],
  ])('pickRule %#', (rules, expected) => expect(pickRule(rules)?.id).toBe(expected));
});

describe('interpret: what Graph answered', () => {
  const target: ProvisionOnDemandTarget = {
    user: { id: ALICE.id, displayName: 'Alice Smith' },
    servicePrincipal: { id: 'sp', displayName: 'Salesforce' },
    jobId: 'job.0',
    ruleId: 'rule-out',
  };
  const pair = (result: string, value: unknown) => ({
    '@odata.type': '#microsoft.graph.stringKeyStringValuePair',
    key: JSON.stringify({ result, details: {} }),
    value: typeof value === 'string' ? value : JSON.stringify(value),
  });
  it.each([
    [
      'Success with steps',
      ok(
        200,
        pair('Success', {
          provisioningSteps: [{ name: 'EntryExportAdd', status: 'success', description: 'User created' }],
          statusInfo: { status: 'success' },
          action: 'Create',
        }),
      ),
      'succeeded',
      ['success · EntryExportAdd: User created'],
    ],
    [
      'Failure with reason',
      ok(
        200,
        pair('Failure', {
          provisioningSteps: [],
          statusInfo: {
            status: 'failure',
            errorCode: 'SalesforceDuplicateUserName',
            reason: 'Duplicate username',
            recommendedAction: 'Change the UPN',
          },
        }),
      ),
      'failed',
      [],
    ],
    ['Skipped', ok(200, pair('Skipped', { statusInfo: null })), 'failed', []],
    ['value "{}"', ok(200, pair('Success', '{}')), 'succeeded', []],
    ['older 204', ok(204), 'succeeded', []],
  ])('provision-on-demand: %s', (_name, result, outcome, details) => {
    const i = interpretOnDemand(target, result);
    expect(i.outcome).toBe(outcome);
    expect(i.details).toEqual(details);
  });

  const skipped = (errorCode: string, errorMessage: string, statusInfo: unknown) =>
    ok(200, {
      key: JSON.stringify({ result: 'Skipped', details: { errorCode, errorMessage } }),
      value: JSON.stringify({ action: 'Other', statusInfo, provisioningSteps: [] }),
    });
  it.each([
    [
      'out of scope, statusInfo null',
      skipped('NotEffectivelyEntitled', 'The user is not assigned to the application.', null),
      [
        /Entra skipped Alice Smith: The user is not assigned to the application \(NotEffectivelyEntitled\)\./,
        /usually out of scope for Salesforce/,
        /assign the user, or a group they are in, to the app/,
        /scoping filter/,
      ],
      'NotEffectivelyEntitled',
    ],
    [
      "already in sync, the page's example (statusInfo without a reason)",
      skipped(
        'RedundantExport',
        'The state of the user in both the source and target systems already match.',
        {
          status: 'Skipped',
          errorCode: null,
          reason: null,
          additionalDetails: null,
          errorCategory: null,
          recommendedAction: null,
        },
      ),
      [/already match \(RedundantExport\)/, /already in sync with Salesforce/],
      'RedundantExport',
    ],
  ])(
    'provision-on-demand Skipped, %s: shows Skipped and the reason from the key',
    (_n, result, summary, code) => {
      const i = interpretOnDemand(target, result);
      expect(i.outcome).toBe('failed');
      expect(i.headline).toBe('Skipped');
      for (const re of summary) expect(i.summary).toMatch(re);
      expect(i.facts).toEqual(
        expect.arrayContaining([
          { title: 'Result', value: 'Skipped' },
          { title: 'Error code', value: code },
        ]),
      );
    },
  );

  it('provision-on-demand failure details may come in the key', () => {
    const i = interpretOnDemand(
      target,
      ok(200, {
        key: JSON.stringify({
          result: 'Failure',
          details: { errorCode: 'E2', errorMessage: 'Target refused.' },
        }),
        value: '{}',
      }),
    );
    expect(i.headline).toBeUndefined();
    expect(i.summary).toBe('Provisioning Alice Smith to Salesforce failed: Target refused.');
    expect(i.facts).toContainEqual({ title: 'Error code', value: 'E2' });
  });

  it('provision-on-demand failure carries the error code and recommended action', () => {
    const i = interpretOnDemand(
      target,
      ok(
        200,
        pair('Failure', { statusInfo: { errorCode: 'E1', reason: 'Dup', recommendedAction: 'Fix it' } }),
      ),
    );
    expect(i.facts).toEqual(
      expect.arrayContaining([
        { title: 'Error code', value: 'E1' },
        { title: 'Recommended action', value: 'Fix it' },
      ]),
    );
    expect(i.summary).toMatch(/failed: Dup/);
  });

  const licenceTarget = { user: { id: ALICE.id, displayName: 'Alice Smith' } };
  const healthy = ALICE.licenseAssignmentStates.slice(1);
  it.each([
    [
      'states read back, one still in error',
      { ...ok(200, { id: ALICE.id }), readBack: { ok: true, body: ALICE } },
      'Accepted; errors still shown',
      [/1 of 3 licence assignments still shows an error/, /several minutes/],
      [
        'sku-e5: Error (CountViolation), from group group-1',
        'sku-f3: Active, direct',
        'sku-ems: Active, from group group-1',
      ],
    ],
    [
      'states read back, null and "None" errors are no errors',
      { ...ok(200, { id: ALICE.id }), readBack: { ok: true, body: { licenseAssignmentStates: healthy } } },
      undefined,
      [/none of 2 licence assignments shows an error/],
      ['sku-f3: Active, direct', 'sku-ems: Active, from group group-1'],
    ],
    [
      'the read-back failed',
      {
        ...ok(200, { id: ALICE.id }),
        readBack: { ok: false, code: 'serviceNotAvailable', message: 'Try later', requestId: 'rid-read' },
      },
      'Accepted; states unknown',
      [/accepted the reprocess/, /reading their states afterwards failed \(serviceNotAvailable: Try later\)/],
      [],
    ],
    [
      'a batch answer, without a read-back',
      ok(200, { id: ALICE.id, displayName: 'Alice Smith' }),
      undefined,
      [/accepted the reprocess/, /does not include their states/],
      [],
    ],
  ] as const)('reprocess-license: %s', (_name, result, headline, summary, details) => {
    const i = reprocessLicense.interpret(licenceTarget, result);
    expect(i.outcome).toBe('succeeded');
    expect(i.headline).toBe(headline);
    for (const re of summary) expect(i.summary).toMatch(re);
    expect(i.summary).not.toMatch(/no assignment is in error|0 assignments/);
    expect(i.details).toEqual(details);
  });

  it('names the states read back with the products and groups the confirmation read', () => {
    const named = {
      ...licenceTarget,
      names: { products: { 'sku-f3': 'DESKLESSPACK' }, groups: { 'group-1': 'Licensing' } },
    };
    const result = {
      ...ok(200, { id: ALICE.id }),
      readBack: { ok: true as const, body: { licenseAssignmentStates: healthy } },
    };
    expect(reprocessLicense.interpret(named, result).details).toEqual([
      'DESKLESSPACK: Active, direct',
      'sku-ems: Active, from group Licensing',
    ]);
  });

  it('reprocess-license names the failed read-back by its request-id', () => {
    const i = reprocessLicense.interpret(licenceTarget, {
      ...ok(200),
      readBack: { ok: false, code: 'E', message: 'm', requestId: 'rid-read' },
    });
    expect(i.facts).toContainEqual({ title: 'Read-back request-id', value: 'rid-read' });
  });

  it.each([202, 204])('retry-cloudpc-policy accepts %i', (status) => {
    const i = retryCloudPcPolicy.interpret(
      { policy: { id: 'p', displayName: 'Frontline A' }, failedCloudPcs: 3 },
      ok(status),
    );
    expect(i.outcome).toBe('succeeded');
    expect(i.summary).toContain(`HTTP ${status}`);
  });
});

describe('reprocess-license precondition', () => {
  it('is blocked for a user without any licence assignment', async () => {
    const graph = new ScriptedGraph({
      [`GET /users/${ALICE.id}`]: { ...ALICE, licenseAssignmentStates: [] },
    });
    const r = resolved(await reprocessLicense.resolve({ positional: { user: ALICE.id }, flags: {} }, graph));
    expect(r.confirmation.blocked).toMatch(/no licence assignments/);
  });
});
