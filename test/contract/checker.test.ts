import { GraphContract, type ContractRequest } from './graph-contract';

const contract = new GraphContract();
const USER = '11111111-1111-4111-8111-111111111111';

function req(
  method: string,
  url: string,
  extra: { body?: unknown; headers?: Record<string, string>; version?: 'v1.0' | 'beta'; raw?: boolean } = {},
): ContractRequest {
  const u = new URL(url, 'https://graph.invalid');
  return {
    method,
    version: extra.version ?? 'v1.0',
    segments: u.pathname.split('/').filter(Boolean).map(decodeURIComponent),
    query: Object.fromEntries(u.searchParams),
    headers: {
      ...(extra.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...extra.headers,
    },
    body: extra.body,
    hasBody: extra.body !== undefined,
  };
}

function rules(r: ContractRequest): string[] {
  return contract.checkRequest(r, true).violations.map((v) => `${v.rule}: ${v.message}`);
}

const batchOf = (...requests: unknown[]) => req('POST', '/$batch', { body: { requests } });

describe('the request contract accepts what the published description allows', () => {
  it.each<[string, ContractRequest]>([
    [
      'a user by UPN with $select',
      req('GET', `/users/alice@contoso.com?$select=id,displayName,serviceProvisioningErrors`),
    ],
    [
      'users by mail or UPN',
      req('GET', "/users?$filter=mail eq 'a@b.c' or userPrincipalName eq 'a@b.c'&$top=999"),
    ],
    [
      'a service principal by appId',
      req('GET', `/servicePrincipals(appId='${USER}')?$select=id,appId,displayName`),
    ],
    [
      'groups with licence errors',
      req('GET', '/groups?$filter=hasMembersWithLicenseErrors eq true&$select=id,displayName'),
    ],
    [
      "a group's users (an advanced query)",
      req('GET', `/groups/${USER}/members/microsoft.graph.user?$select=id,displayName&$count=true`, {
        headers: { consistencylevel: 'eventual' },
      }),
    ],
    [
      'user properties of directory objects',
      req('GET', `/groups/${USER}/membersWithLicenseErrors?$select=id,displayName,licenseAssignmentStates`),
    ],
    [
      'the provisioning log after a watermark',
      req(
        'GET',
        "/auditLogs/provisioning?$filter=provisioningStatusInfo/status eq 'failure' and activityDateTime gt 2026-11-22T12:00:00.1234567Z&$top=500",
      ),
    ],
    ['retryServiceProvisioning without a body', req('POST', `/users/${USER}/retryServiceProvisioning`)],
    [
      'the Cloud PC retry with the {} its page asks for',
      req('POST', `/deviceManagement/virtualEndpoint/provisioningPolicies/${USER}/retry`, {
        body: {},
        version: 'beta',
      }),
    ],
    [
      'provisionOnDemand with its parameters',
      req('POST', `/servicePrincipals/${USER}/synchronization/jobs/j1/provisionOnDemand`, {
        body: { parameters: [{ ruleId: 'r', subjects: [{ objectId: USER, objectTypeName: 'User' }] }] },
      }),
    ],
    ['checkMemberGroups', req('POST', `/users/${USER}/checkMemberGroups`, { body: { groupIds: [USER] } })],
    [
      'a batch of body-less actions, each with {} and a Content-Type',
      batchOf(
        {
          id: '1',
          method: 'POST',
          url: `/users/${USER}/retryServiceProvisioning`,
          headers: { 'Content-Type': 'application/json' },
          body: {},
        },
        {
          id: '2',
          method: 'POST',
          url: `users/${USER}/reprocessLicenseAssignment`,
          headers: { 'Content-Type': 'application/json' },
          body: {},
        },
      ),
    ],
    [
      'the first users delta request, selecting what it tracks',
      req('GET', '/users/delta?$select=id,displayName,userPrincipalName,serviceProvisioningErrors'),
    ],
    ['a users delta link', req('GET', '/users/delta?$deltatoken=abc')],
  ])('%s', (_name, r) => {
    expect(rules(r)).toEqual([]);
  });
});

describe('the request contract refuses what it does not allow, naming the rule', () => {
  it.each<[string, ContractRequest, string]>([
    [
      'an unknown property in $select',
      req('GET', `/users/${USER}?$select=id,provisioningErrors`),
      "$select: user has no property 'provisioningErrors'",
    ],
    [
      '$top on users delta (the delta overview: not supported for users)',
      req('GET', '/users/delta?$select=id&$top=999'),
      'query: $top on a function',
    ],
    [
      'an unknown property in the $select of users delta',
      req('GET', '/users/delta?$select=id,provisioningErrors'),
      "$select: user has no property 'provisioningErrors'",
    ],
    [
      'ge on activityDateTime',
      req('GET', '/auditLogs/provisioning?$filter=activityDateTime ge 2026-11-22T12:00:00Z'),
      "$filter: 'ge' on activityDateTime: the page lists eq, gt, lt",
    ],
    [
      'a body-less POST in a batch',
      batchOf({ id: '1', method: 'POST', url: `/users/${USER}/retryServiceProvisioning` }),
      'batch-item: request 1: a POST item needs a body and Content-Type: application/json',
    ],
    [
      'a batch item with a body but no Content-Type',
      batchOf({ id: '1', method: 'POST', url: `/users/${USER}/retryServiceProvisioning`, body: {} }),
      'batch-item: request 1: a body without a Content-Type header',
    ],
    [
      'a body for an action whose page says not to supply one',
      req('POST', `/users/${USER}/retryServiceProvisioning`, { body: {} }),
      'body: retryServiceProvisioning takes no request body',
    ],
    [
      'an unknown parameter',
      req('POST', `/servicePrincipals/${USER}/synchronization/jobs/j1/provisionOnDemand`, {
        body: { subjects: [], ruleId: 'r' },
      }),
      "body: provisionOnDemand has no parameter 'subjects'",
    ],
    [
      'a filter on a property no row covers',
      req('GET', "/users?$filter=jobTitle eq 'x'"),
      '$filter: no row of the capability table covers jobTitle',
    ],
    ['$top above the page size', req('GET', '/users?$top=1000'), '$top: $top=1000 is outside 1..999'],
    [
      'hasMembersWithLicenseErrors as an advanced query',
      req('GET', '/groups?$filter=hasMembersWithLicenseErrors eq true&$count=true', {
        headers: { consistencylevel: 'eventual' },
      }),
      'advanced-query: hasMembersWithLicenseErrors filters only without ConsistencyLevel: eventual',
    ],
    [
      'a cast on members without the advanced-query headers',
      req('GET', `/groups/${USER}/members/microsoft.graph.user?$select=id`),
      'advanced-query: /groups/{id}/members/microsoft.graph.user answers only advanced queries',
    ],
    [
      'a path Graph does not have',
      req('GET', `/users/${USER}/provisioningErrors`),
      "path: user has no navigation property, bound action or function named 'provisioningErrors'",
    ],
    ['a write with GET', req('GET', `/users/${USER}/retryServiceProvisioning`), 'method: GET is not what'],
    [
      'a beta-only call on v1.0',
      req('GET', '/deviceManagement/virtualEndpoint/cloudPCs'),
      "path: no entity set or singleton named 'deviceManagement' in v1.0",
    ],
    [
      'a call the product surface does not list',
      req('GET', `/users/${USER}/memberOf`),
      'surface: GET /v1.0/users/{id}/memberOf is not in test/contract/graph-surface.ts',
    ],
    [
      'a batch of 21',
      batchOf(
        ...Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: `/users/${USER}` })),
      ),
      'batch: 21 requests; a batch holds at most 20',
    ],
    [
      'duplicate ids in a batch',
      batchOf(
        { id: 'a', method: 'GET', url: `/users/${USER}` },
        { id: 'a', method: 'GET', url: `/users/${USER}` },
      ),
      'batch: id a is used twice',
    ],
    [
      'an absolute url in a batch',
      batchOf({ id: '1', method: 'GET', url: `https://graph.microsoft.com/v1.0/users/${USER}` }),
      'batch: request 1: url https://graph.microsoft.com/v1.0/users/',
    ],
    [
      'an unknown query option',
      req('GET', `/users/${USER}?select=id`),
      "query: unknown query option 'select'",
    ],
    ['a filter that is not OData', req('GET', "/users?$filter=mail == 'x'"), '$filter: not valid OData'],
  ])('%s', (_name, r, expected) => {
    expect(rules(r).join('\n')).toContain(expected);
  });

  it('names the page each rule comes from', () => {
    const [v] = contract.checkRequest(
      req('GET', '/auditLogs/provisioning?$filter=activityDateTime ge 2026-11-22T12:00:00Z'),
      true,
    ).violations;
    expect(v?.page).toBe(
      'https://learn.microsoft.com/graph/api/resources/provisioningobjectsummary?view=graph-rest-1.0',
    );
  });
});

describe('the response contract holds answers to their declared type', () => {
  const check = (r: ContractRequest, status: number, body: unknown): string[] => {
    const { resolved } = contract.checkRequest(r, false);
    if (!resolved) throw new Error('the request does not resolve');
    return contract.checkResponse(r, resolved, { status, body }).map((v) => `${v.rule}: ${v.message}`);
  };
  const user = req('GET', `/users/${USER}?$select=id,licenseAssignmentStates`);

  it.each<[string, ContractRequest, number, unknown, string[]]>([
    [
      'a selected user',
      user,
      200,
      { id: USER, licenseAssignmentStates: [{ skuId: USER, state: 'Active', error: null }] },
      [],
    ],
    [
      'an invented property',
      user,
      200,
      { id: USER, provisioningHealth: 'ok' },
      ['response: $.provisioningHealth is not a property of user'],
    ],
    [
      'a property $select did not ask for',
      user,
      200,
      { id: USER, displayName: 'A' },
      ['response: $.displayName is in the answer although $select did not ask for it'],
    ],
    [
      'an enum value spelled differently',
      req('GET', '/deviceManagement/virtualEndpoint/cloudPCs?$select=id,status', { version: 'beta' }),
      200,
      { value: [{ id: 'pc1', status: 'Failed' }] },
      ['response: $.value[0].status "Failed" is not a member of cloudPcStatus'],
    ],
    [
      'null for a collection',
      req('GET', `/users/${USER}?$select=id,businessPhones`),
      200,
      { id: USER, businessPhones: null },
      ['response: $.businessPhones is null; a collection is never null in OData'],
    ],
    [
      'a navigation property nobody expanded',
      req('GET', `/identityGovernance/entitlementManagement/assignmentRequests/${USER}?$expand=requestor`),
      200,
      { id: USER, requestor: { objectId: USER }, accessPackage: { id: USER } },
      ['response: $.accessPackage is a navigation property, returned only when $expand names it'],
    ],
    [
      'a body for an action that returns nothing',
      req('POST', `/users/${USER}/retryServiceProvisioning`),
      204,
      { ok: true },
      ['response: retryServiceProvisioning returns nothing, yet the answer has a body'],
    ],
    [
      'an error without Graph’s error shape',
      user,
      404,
      { message: 'not found' },
      ['error-body: an error answer without {"error":{"code","message"}}'],
    ],
    [
      'a users delta page: users, not directory objects, and @removed entries',
      req('GET', '/users/delta?$select=id,userPrincipalName'),
      200,
      {
        '@odata.deltaLink': 'https://graph.microsoft.com/v1.0/users/delta?$deltatoken=x',
        value: [
          { id: USER, userPrincipalName: 'a@b.c' },
          { id: USER, '@removed': { reason: 'changed' } },
        ],
      },
      [],
    ],
    [
      'a users delta page with a property $select did not ask for',
      req('GET', '/users/delta?$select=id'),
      200,
      { value: [{ id: USER, displayName: 'A' }] },
      ['response: $.value[0].displayName is in the answer although $select did not ask for it'],
    ],
    [
      'a derived type named in @odata.type',
      req('GET', `/users/${USER}?$select=serviceProvisioningErrors`),
      200,
      {
        serviceProvisioningErrors: [
          {
            '@odata.type': '#microsoft.graph.serviceProvisioningXmlError',
            isResolved: false,
            errorDetail: '<a/>',
          },
        ],
      },
      [],
    ],
  ])('%s', (_name, r, status, body, expected) => {
    const found = check(r, status, body);
    if (expected.length === 0) expect(found).toEqual([]);
    else for (const e of expected) expect(found.join('\n')).toContain(e);
  });

  it('checks each answer of a batch against the request it answers', () => {
    const r = batchOf({ id: '1', method: 'GET', url: `/users/${USER}?$select=id` });
    const found = check(r, 200, { responses: [{ id: '1', status: 200, body: { id: USER, nickname: 'x' } }] });
    expect(found).toEqual(['response: response 1: $.nickname is not a property of user']);
  });
});
