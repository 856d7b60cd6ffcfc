import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import {
  ClientCertificateCredential,
  ClientSecretCredential,
  OnBehalfOfCredential,
  type OnBehalfOfCredentialSecretOptions,
} from '@azure/identity';
import { Client, GraphError, PageIterator } from '@microsoft/microsoft-graph-client';

import {
  decodeJwt,
  entraFaults,
  FakeConnector,
  FakeEntra,
  FakeGraph,
  ManualClock,
  provisioningLog,
  TeamsClient,
  TEST_CERT_PATH,
  TEST_KEY_PATH,
  type GraphSeed,
} from '../fakes';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const BOT_ID = 'b0b0b0b0-0000-4000-8000-000000000001';
const BOT_SECRET = 'bot-secret-value';
const BOT_APP_ID_URI = `api://botid-${BOT_ID}`;
const ADMIN_OID = 'a0000000-0000-4000-8000-000000000001';
const PLAIN_OID = 'a0000000-0000-4000-8000-000000000002';
const ALICE_ID = 'u0000000-0000-4000-8000-00000000a11c';
const SP_ID = 's0000000-0000-4000-8000-000000000001';
const JOB_ID = 'scim.e28a0b4b2d7f4a1c9b1f.1a2b3c4d-0000-4000-8000-000000000001';
const RULE_ID = '03f7d90d-bf71-41b1-bda6-aaf0ddbee5d8';
const REQUEST_ID = '0c7b3ee0-43e5-4f6a-9b86-0b1c1a0e0f01';

const seed: GraphSeed = {
  users: [
    {
      id: ALICE_ID,
      displayName: 'Alice Example',
      userPrincipalName: 'alice@contoso.com',
      mail: 'alice@contoso.com',
      accountEnabled: true,
      serviceProvisioningErrors: [
        {
          createdDateTime: '2024-05-01T10:00:00Z',
          isResolved: false,
          serviceInstance: 'exchange/namprd01-001-01',
          errorDetail:
            '<ServiceInstance><ObjectErrors><ErrorRecord><ErrorCode>ProxyAddressConflict</ErrorCode></ErrorRecord></ObjectErrors></ServiceInstance>',
        },
      ],
      licenseAssignmentStates: [
        {
          skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
          state: 'Error',
          error: 'CountViolation',
          assignedByGroup: null,
          disabledPlans: [],
          lastUpdatedDateTime: '2024-05-01T10:00:00Z',
        },
      ],
    },
    {
      id: 'u0000000-0000-4000-8000-0000000b0b00',
      displayName: "Bob O'Brien",
      userPrincipalName: 'bob@contoso.com',
    },
  ],
  accessPackageAssignmentRequests: [
    {
      id: REQUEST_ID,
      requestType: 'adminAdd',
      state: 'deliveryFailed',
      status: 'DeliveryFailed',
      createdDateTime: '2024-05-01T10:00:00Z',
      accessPackage: { id: 'ap-1', displayName: 'Sales tools' },
      requestor: {
        id: ALICE_ID,
        objectId: ALICE_ID,
        displayName: 'Alice Example',
        email: 'alice@contoso.com',
        subjectType: 'user',
      },
    },
  ],
  servicePrincipals: [{ id: SP_ID, appId: 'app-scim-1', displayName: 'Salesforce' }],
  synchronizationJobs: {
    [SP_ID]: [
      {
        id: JOB_ID,
        templateId: 'scim',
        status: { code: 'Active' },
        schema: {
          synchronizationRules: [
            {
              id: RULE_ID,
              name: 'USER_TO_SCIM',
              sourceDirectoryName: 'Azure Active Directory',
              targetDirectoryName: 'SCIM',
              editable: true,
            },
          ],
        },
      },
    ],
  },
  provisioningPolicies: [{ id: 'pol-1', displayName: 'Dev boxes', provisioningType: 'dedicated' }],
  cloudPcs: [
    {
      id: 'pc-1',
      displayName: 'Alice PC',
      status: 'failed',
      provisioningPolicyId: 'pol-1',
      userPrincipalName: 'alice@contoso.com',
    },
  ],
  roles: { [ADMIN_OID]: ['Global Administrator'] },
  provisionOnDemandResults: { [ALICE_ID]: 'Skipped' },
};

const clock = new ManualClock(Date.parse('2025-03-01T12:00:00Z'));
let entra: FakeEntra;
let graph: FakeGraph;
let appToken: string;
let adminToken: string;
let plainToken: string;

/** OnBehalfOfCredentialOptions does not declare disableInstanceDiscovery, though it is honoured at runtime. */
function oboCredential(assertion: string): OnBehalfOfCredential {
  const options: OnBehalfOfCredentialSecretOptions & {
    authorityHost: string;
    disableInstanceDiscovery: boolean;
  } = {
    tenantId: TENANT,
    clientId: BOT_ID,
    clientSecret: BOT_SECRET,
    userAssertionToken: assertion,
    authorityHost: entra.url,
    disableInstanceDiscovery: true,
  };
  return new OnBehalfOfCredential(options);
}

function ssoToken(oid: string, extra: Partial<Parameters<FakeEntra['issueUserToken']>[0]> = {}): string {
  return entra.issueUserToken({
    tenantId: TENANT,
    oid,
    name: 'Admin',
    upn: `${oid}@contoso.com`,
    audience: BOT_APP_ID_URI,
    ...extra,
  });
}

function graphClient(token: string, defaultVersion: 'v1.0' | 'beta' = 'v1.0'): Client {
  return Client.initWithMiddleware({
    authProvider: { getAccessToken: async () => token },
    baseUrl: `${graph.url}/`,
    defaultVersion,
    // The client only sends the token to https hosts it knows; the host is matched WITHOUT the port.
    customHosts: new Set(['127.0.0.1']),
  });
}

async function call(
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> | undefined }> {
  const init: RequestInit = {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(`${graph.url}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

beforeAll(async () => {
  entra = await FakeEntra.start({ now: clock.now });
  entra.registerClient({
    clientId: BOT_ID,
    clientSecret: BOT_SECRET,
    tenantId: TENANT,
    appIdUris: [BOT_APP_ID_URI],
    roles: ['User.Read.All'],
    delegatedScopes: [
      'User.ReadWrite.All',
      'Directory.Read.All',
      'CloudPC.ReadWrite.All',
      'EntitlementManagement.ReadWrite.All',
      'Synchronization.ReadWrite.All',
    ],
    servicePrincipalId: 'sp-of-the-bot',
  });
  graph = await FakeGraph.start({ entra, seed });
  appToken = (
    await new ClientSecretCredential(TENANT, BOT_ID, BOT_SECRET, {
      authorityHost: entra.url,
      disableInstanceDiscovery: true,
    }).getToken('https://graph.microsoft.com/.default')
  ).token;
  adminToken = (await oboCredential(ssoToken(ADMIN_OID)).getToken('https://graph.microsoft.com/.default'))
    .token;
  plainToken = (await oboCredential(ssoToken(PLAIN_OID)).getToken('https://graph.microsoft.com/.default'))
    .token;
});

afterAll(async () => {
  await graph?.close();
  await entra?.close();
});

describe('FakeEntra with @azure/identity', () => {
  test('client credentials: app token with roles, service principal oid and the fake clock', () => {
    const claims = decodeJwt(appToken)?.payload;
    expect(claims).toMatchObject({
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${TENANT}/`,
      tid: TENANT,
      appid: BOT_ID,
      idtyp: 'app',
      oid: 'sp-of-the-bot',
      roles: ['User.Read.All'],
      iat: Math.floor(clock.now() / 1000),
    });
    const tokenRequest = entra.requests.find((r) => r.grantType === 'client_credentials');
    expect(tokenRequest?.form['client_secret']).toBe('***');
  });

  test('on-behalf-of: exchanges a Teams SSO token for a delegated Graph token of that user', () => {
    expect(decodeJwt(adminToken)?.payload).toMatchObject({
      aud: 'https://graph.microsoft.com',
      oid: ADMIN_OID,
      tid: TENANT,
      idtyp: 'user',
      appid: BOT_ID,
      upn: `${ADMIN_OID}@contoso.com`,
      scp: 'User.ReadWrite.All Directory.Read.All CloudPC.ReadWrite.All EntitlementManagement.ReadWrite.All Synchronization.ReadWrite.All',
    });
    const obo = entra.requests.find((r) => r.form['requested_token_use'] === 'on_behalf_of');
    expect(obo?.form['assertion']).toBe('***');
  });

  test('a foreign-signed assertion fails with AADSTS50013', async () => {
    const forged = ssoToken(ADMIN_OID, { signWith: 'foreign' });
    await expect(oboCredential(forged).getToken('https://graph.microsoft.com/.default')).rejects.toThrow(
      /AADSTS50013/,
    );
  });

  test('an expired assertion fails with AADSTS500133 (fake clock)', async () => {
    const expired = ssoToken(ADMIN_OID, { issuedAt: clock.now() - 7200_000, expiresInSec: 3600 });
    await expect(oboCredential(expired).getToken('https://graph.microsoft.com/.default')).rejects.toThrow(
      /AADSTS500133/,
    );
  });

  test('an assertion for another audience fails with AADSTS500131', async () => {
    const wrongAud = ssoToken(ADMIN_OID, { audience: 'api://someone-else' });
    await expect(oboCredential(wrongAud).getToken('https://graph.microsoft.com/.default')).rejects.toThrow(
      /AADSTS500131/,
    );
  });

  test('consent-required fault surfaces AADSTS65001 once', async () => {
    entra.failNextTokenRequest(entraFaults.consentRequired());
    await expect(
      oboCredential(ssoToken(PLAIN_OID)).getToken('https://graph.microsoft.com/.default'),
    ).rejects.toThrow(/AADSTS65001/);
    const last = await entra.waitForRequest((r) => r.errorCode === 65001);
    expect(last.status).toBe(400);
    await expect(
      oboCredential(ssoToken(PLAIN_OID)).getToken('https://graph.microsoft.com/.default'),
    ).resolves.toBeDefined();
  });

  test('a wrong client secret is AADSTS7000215', async () => {
    const cred = new ClientSecretCredential(TENANT, BOT_ID, 'nope', {
      authorityHost: entra.url,
      disableInstanceDiscovery: true,
    });
    await expect(cred.getToken('https://graph.microsoft.com/.default')).rejects.toThrow(/AADSTS7000215/);
  });

  test('certificate credentials: client_assertion with the registered thumbprint', async () => {
    const certPem = readFileSync(TEST_CERT_PATH, 'utf8');
    entra.registerClient({ clientId: 'cert-app', tenantId: TENANT, certificate: certPem });
    const sha1 = new X509Certificate(certPem).fingerprint.replace(/:/g, '');
    entra.registerClient({ clientId: 'cert-app-sha1-only', tenantId: TENANT, certificateThumbprint: sha1 });
    const pem = `${certPem}\n${readFileSync(TEST_KEY_PATH, 'utf8')}`;
    const cred = new ClientCertificateCredential(
      TENANT,
      'cert-app',
      { certificate: pem },
      { authorityHost: entra.url, disableInstanceDiscovery: true },
    );
    const token = await cred.getToken('https://graph.microsoft.com/.default');
    expect(decodeJwt(token.token)?.payload).toMatchObject({ appid: 'cert-app', appidacr: '2' });
    const req = await entra.waitForRequest((r) => r.clientId === 'cert-app');
    expect(req.form['client_assertion']).toBe('***');
    // @azure/identity names the certificate by x5t#S256 only, so a SHA-1 thumbprint cannot match it.
    const sha1Only = new ClientCertificateCredential(
      TENANT,
      'cert-app-sha1-only',
      { certificate: pem },
      { authorityHost: entra.url, disableInstanceDiscovery: true },
    );
    await expect(sha1Only.getToken('https://graph.microsoft.com/.default')).rejects.toThrow(/AADSTS700027/);
  });

  test('publishes OIDC metadata and JWKS in Entra shape', async () => {
    const meta = (await (
      await fetch(`${entra.url}/common/v2.0/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(meta['issuer']).toBe(`${entra.url}/{tenantid}/v2.0`);
    expect(meta['token_endpoint']).toBe(`${entra.url}/common/oauth2/v2.0/token`);
    const jwks = (await (await fetch(String(meta['jwks_uri']))).json()) as {
      keys: Array<Record<string, string>>;
    };
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', kid: entra.kid, alg: 'RS256' });
  });
});

describe('FakeGraph with @microsoft/microsoft-graph-client', () => {
  test('GET a user by UPN, with $select', async () => {
    const user = (await graphClient(appToken)
      .api('/users/ALICE@contoso.com')
      .select(['id', 'displayName', 'serviceProvisioningErrors'])
      .get()) as Record<string, unknown>;
    expect(user['id']).toBe(ALICE_ID);
    expect(user['serviceProvisioningErrors']).toHaveLength(1);
    expect(user).not.toHaveProperty('mail');
    const rec = await graph.waitForRequest((r) => r.path === '/users/ALICE@contoso.com');
    expect(rec).toMatchObject({ version: 'v1.0', status: 200, token: { idtyp: 'app', appid: BOT_ID } });
    expect(rec.headers['authorization']).toBe('***');
  });

  test('a missing user is a GraphError 404 with Graph code and request id', async () => {
    const err = (await graphClient(appToken)
      .api('/users/nobody@contoso.com')
      .get()
      .catch((e: unknown) => e)) as GraphError;
    expect(err).toBeInstanceOf(GraphError);
    expect(err.statusCode).toBe(404);
    expect(err.code).toBe('Request_ResourceNotFound');
    const rec = await graph.waitForRequest((r) => r.path === '/users/nobody@contoso.com');
    expect(err.requestId).toBe(rec.requestId);
  });

  test('an app-only token may not run a remediation (403 Authorization_RequestDenied)', async () => {
    const err = (await graphClient(appToken)
      .api(`/users/${ALICE_ID}/retryServiceProvisioning`)
      .post(undefined)
      .catch((e: unknown) => e)) as GraphError;
    expect(err.statusCode).toBe(403);
    expect(err.code).toBe('Authorization_RequestDenied');
    expect(graph.callCount('retryServiceProvisioning', ALICE_ID)).toBe(0);
  });

  test('a user without a suitable role gets 403; an admin succeeds exactly once', async () => {
    const denied = await call('POST', `/beta/users/${ALICE_ID}/reprocessLicenseAssignment`, plainToken);
    expect(denied.status).toBe(403);
    const ok = (await graphClient(adminToken)
      .api(`/users/${ALICE_ID}/reprocessLicenseAssignment`)
      .post(undefined)) as Record<string, unknown>;
    expect(ok).toMatchObject({ id: ALICE_ID, displayName: 'Alice Example' });
    expect(ok).not.toHaveProperty('licenseAssignmentStates');
    expect(graph.findUser(ALICE_ID)?.licenseAssignmentStates).toEqual([
      expect.objectContaining({ state: 'Active', error: null }),
    ]);
    expect(graph.callCount('reprocessLicenseAssignment', ALICE_ID)).toBe(1);
    expect(graph.attemptCount('reprocessLicenseAssignment', ALICE_ID)).toBe(2);
  });

  test('$filter honours OData quote doubling and rejects what it cannot parse', async () => {
    const found = await call(
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent("displayName eq 'Bob O''Brien'")}`,
      appToken,
    );
    expect((found.json?.['value'] as unknown[]).length).toBe(1);
    const broken = await call(
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent("displayName eq 'Bob O'Brien'")}`,
      appToken,
    );
    expect(broken.status).toBe(400);
    expect(broken.json?.['error']).toMatchObject({ code: 'Request_UnsupportedQuery' });
    const rec = await graph.waitForRequest((r) => r.status === 400 && r.path === '/users');
    expect(rec.query['$filter']).toBe("displayName eq 'Bob O'Brien'");
  });

  test('beta-only Cloud PC resources are not in v1.0; retry works in beta', async () => {
    expect(
      (await call('GET', '/v1.0/deviceManagement/virtualEndpoint/provisioningPolicies', appToken)).status,
    ).toBe(400);
    const retry = await call(
      'POST',
      '/beta/deviceManagement/virtualEndpoint/provisioningPolicies/pol-1/retry',
      adminToken,
      {},
    );
    expect(retry.status).toBe(202);
    expect(graph.store.cloudPcs[0]?.status).toBe('provisioning');
  });

  test('access package reprocess checks id shape and state', async () => {
    expect(
      (
        await call(
          'POST',
          '/v1.0/identityGovernance/entitlementManagement/assignmentRequests/not-a-guid/reprocess',
          adminToken,
        )
      ).status,
    ).toBe(400);
    const path = `/v1.0/identityGovernance/entitlementManagement/assignmentRequests/${REQUEST_ID}/reprocess`;
    expect((await call('POST', path, adminToken)).status).toBe(202);
    const again = await call('POST', path, adminToken);
    expect(again.status).toBe(400);
    expect(again.json?.['error']).toMatchObject({ code: 'InvalidRequestState' });
  });

  test('provisionOnDemand returns Graph-shaped key/value strings and rate-limits per job', async () => {
    const path = `/v1.0/servicePrincipals/${SP_ID}/synchronization/jobs/${JOB_ID}/provisionOnDemand`;
    const body = {
      parameters: [{ ruleId: RULE_ID, subjects: [{ objectId: ALICE_ID, objectTypeName: 'User' }] }],
    };
    const first = await call('POST', path, adminToken, body);
    expect(first.status).toBe(200);
    expect(JSON.parse(String(first.json?.['key']))).toMatchObject({
      result: 'Skipped',
      details: { errorCode: 'RedundantExport' },
    });
    expect(JSON.parse(String(first.json?.['value']))).toMatchObject({
      statusInfo: { status: 'Skipped', errorCode: null, reason: null },
    });
    const badRule = await call('POST', path, adminToken, {
      parameters: [{ ruleId: 'nope', subjects: body.parameters[0]?.subjects }],
    });
    expect(badRule.status).toBe(400);
    for (let i = 0; i < 4; i++) expect((await call('POST', path, adminToken, body)).status).toBe(200);
    const limited = await call('POST', path, adminToken, body);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    clock.advance(10_001);
    expect((await call('POST', path, adminToken, body)).status).toBe(200);
    expect(graph.callCount('provisionOnDemand', ALICE_ID)).toBe(6);
  });

  test('provisioning log: gt and lt but no ge on activityDateTime, case-sensitive filters, "" for empty ids', async () => {
    const now = new Date(clock.now());
    const local = await FakeGraph.start({
      entra,
      seed: {
        provisioningLogs: [
          provisioningLog(now, 60_000, 'log-user', ALICE_ID, 'Alice Example', 'failure'),
          provisioningLog(now, 60_000, 'log-group', 'g-1', 'Sales', 'failure', 'Group'),
        ],
      },
    });
    const list = async (filter: string) => {
      const res = await fetch(
        `${local.url}/v1.0/auditLogs/provisioning?$filter=${encodeURIComponent(filter)}`,
        { headers: { authorization: `Bearer ${appToken}` } },
      );
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    try {
      const since = new Date(clock.now() - 120_000).toISOString();
      const failed = await list(
        `provisioningStatusInfo/status eq 'failure' and activityDateTime gt ${since}`,
      );
      expect(failed.json['value']).toEqual([
        expect.objectContaining({
          id: 'log-user',
          targetIdentity: { id: '', displayName: '', identityType: 'User', details: {} },
        }),
        expect.objectContaining({
          id: 'log-group',
          sourceIdentity: expect.objectContaining({ identityType: 'Group' }),
        }),
      ]);
      expect((await list(`activityDateTime lt ${since}`)).json['value']).toEqual([]);
      expect((await list("provisioningStatusInfo/status eq 'Failure'")).json['value']).toEqual([]);
      for (const op of ['ge', 'le']) {
        const refused = await list(`activityDateTime ${op} ${since}`);
        expect(refused.status).toBe(400);
        expect(refused.json['error']).toMatchObject({
          code: 'BadRequest',
          message: expect.stringContaining(`'${op}' on activityDateTime: the page lists eq, gt, lt`),
        });
      }
    } finally {
      await local.close();
    }
  });

  test('paging follows absolute @odata.nextLink with the graph client PageIterator', async () => {
    const paged = await FakeGraph.start({ entra, seed, pageSize: 1 });
    try {
      const client = Client.initWithMiddleware({
        authProvider: { getAccessToken: async () => appToken },
        baseUrl: `${paged.url}/`,
        customHosts: new Set(['127.0.0.1']),
      });
      const firstPage = (await client.api('/users').get()) as {
        value: unknown[];
        '@odata.nextLink'?: string;
      };
      expect(firstPage['@odata.nextLink']).toContain('$skiptoken=');
      const names: string[] = [];
      await new PageIterator(client, firstPage, (u) => {
        names.push(String((u as Record<string, unknown>)['displayName']));
        return true;
      }).iterate();
      expect(names).toEqual(['Alice Example', "Bob O'Brien"]);
    } finally {
      await paged.close();
    }
  });

  test('hold() parks a request until released; failNext injects a Graph error', async () => {
    const hold = graph.hold(/^\/users\/bob@contoso\.com$/);
    let settled = false;
    const pending = call('GET', '/v1.0/users/bob@contoso.com', appToken).then((r) => {
      settled = true;
      return r;
    });
    await hold.waitForArrival();
    expect(settled).toBe(false);
    expect(hold.waiting).toBe(1);
    hold.release();
    expect((await pending).status).toBe(200);

    graph.failNext({
      path: '/users/bob@contoso.com',
      status: 503,
      code: 'serviceNotAvailable',
      message: 'Try later',
      headers: { 'Retry-After': '0' },
    });
    const failed = await call('GET', '/v1.0/users/bob@contoso.com', appToken);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('0');
    expect(failed.json?.['error']).toMatchObject({
      code: 'serviceNotAvailable',
      innerError: { 'request-id': failed.headers.get('request-id') },
    });
  });

  test('tokens are verified: foreign signature and expiry are 401 InvalidAuthenticationToken', async () => {
    const foreign = ssoToken(ADMIN_OID, { signWith: 'foreign', audience: 'https://graph.microsoft.com' });
    const res = await call('GET', '/v1.0/users/bob@contoso.com', foreign);
    expect(res.status).toBe(401);
    expect(res.json?.['error']).toMatchObject({ code: 'InvalidAuthenticationToken' });
    const stale = entra.signClaims({
      aud: 'https://graph.microsoft.com',
      exp: Math.floor(clock.now() / 1000) - 1,
    });
    expect((await call('GET', '/v1.0/users/bob@contoso.com', stale)).status).toBe(401);
  });
});

describe('FakeGraph addressing and lifecycle', () => {
  test('alternate key forms, service principals, sync jobs and schema', async () => {
    const byKey = await call(
      'GET',
      `/v1.0/users('${encodeURIComponent('alice@contoso.com')}')?$select=id`,
      appToken,
    );
    expect(byKey.json).toMatchObject({ id: ALICE_ID });
    const sp = await call('GET', "/v1.0/servicePrincipals(appId='app-scim-1')", appToken);
    expect(sp.json).toMatchObject({ id: SP_ID, displayName: 'Salesforce' });
    const spList = await call(
      'GET',
      `/v1.0/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'Salesforce'")}`,
      appToken,
    );
    expect(spList.json?.['value']).toHaveLength(1);
    const jobs = await call('GET', `/v1.0/servicePrincipals/${SP_ID}/synchronization/jobs`, appToken);
    expect(jobs.json?.['value']).toEqual([
      expect.objectContaining({ id: JOB_ID, status: expect.objectContaining({ code: 'Active' }) }),
    ]);
    const schema = await call(
      'GET',
      `/v1.0/servicePrincipals/${SP_ID}/synchronization/jobs/${JOB_ID}/schema`,
      appToken,
    );
    expect(schema.json?.['synchronizationRules']).toEqual([expect.objectContaining({ id: RULE_ID })]);
    const requests = await call(
      'GET',
      `/v1.0/identityGovernance/entitlementManagement/assignmentRequests?$filter=${encodeURIComponent("state eq 'delivering'")}&$expand=accessPackage`,
      appToken,
    );
    expect(requests.json?.['value']).toEqual([
      expect.objectContaining({ id: REQUEST_ID, accessPackage: expect.any(Object) }),
    ]);
    expect((requests.json?.['value'] as unknown[])[0]).not.toHaveProperty('requestor');
    const undocumented = await call(
      'GET',
      `/v1.0/identityGovernance/entitlementManagement/assignmentRequests?$filter=${encodeURIComponent(`requestor/objectId eq '${ALICE_ID}'`)}`,
      appToken,
    );
    expect(undocumented.status).toBe(400);
    const unsupported = await call(
      'GET',
      `/v1.0/users?$filter=${encodeURIComponent('serviceProvisioningErrors/any(e: e/isResolved eq false)')}`,
      appToken,
    );
    expect(unsupported.json?.['error']).toMatchObject({ code: 'Request_UnsupportedQuery' });
  });

  test('legacy provisionOnDemand body and legacy 204', async () => {
    const legacy = await FakeGraph.start({ entra, seed, provisionOnDemandLegacy204: true });
    try {
      const res = await fetch(
        `${legacy.url}/beta/servicePrincipals/${SP_ID}/synchronization/jobs/${JOB_ID}/provisionOnDemand`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ruleId: RULE_ID, subjects: [{ objectId: ALICE_ID, objectType: 'User' }] }),
        },
      );
      expect(res.status).toBe(204);
      expect(legacy.callCount('provisionOnDemand', JOB_ID)).toBe(1);
    } finally {
      await legacy.close();
    }
  });

  test('close() ends held and delayed requests without waiting', async () => {
    const local = await FakeGraph.start({ entra, seed });
    const hold = local.hold('/users/alice');
    local.failNext({
      path: '/users/bob',
      status: 504,
      code: 'GatewayTimeout',
      message: 'slow',
      delayMs: 60_000,
    });
    const opts = { headers: { authorization: `Bearer ${appToken}` } };
    const held = fetch(`${local.url}/v1.0/users/alice@contoso.com`, opts).then(
      (r) => `answered ${r.status}`,
      (e: unknown) => String(e),
    );
    const delayed = fetch(`${local.url}/v1.0/users/bob@contoso.com`, opts).then(
      (r) => `answered ${r.status}`,
      (e: unknown) => String(e),
    );
    await hold.waitForArrival();
    await local.close();
    expect(await held).toMatch(/fetch failed/);
    expect(await delayed).toMatch(/fetch failed/);
  });

  test('a service time given as a function is asked per request and delays its answer', async () => {
    let asked = 0;
    let arrived: () => void = () => undefined;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const local = await FakeGraph.start({
      entra,
      seed,
      latencyMs: () => {
        asked += 1;
        arrived();
        return 60_000;
      },
    });
    const answered = fetch(`${local.url}/v1.0/users/alice@contoso.com`, {
      headers: { authorization: `Bearer ${appToken}` },
    }).then(
      (r) => `answered ${r.status}`,
      (e: unknown) => String(e),
    );
    await arrival;
    await local.close();
    expect(await answered).toMatch(/fetch failed/);
    expect(asked).toBe(1);
  });
});

describe('FakeConnector and TeamsClient', () => {
  test('the connector takes the service time asked of it before answering; close() ends the wait', async () => {
    let asked = 0;
    let arrived: () => void = () => undefined;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    const connector = await FakeConnector.start({
      latencyMs: () => {
        asked += 1;
        arrived();
        return 60_000;
      },
    });
    const conversationId = '19:abc@thread.tacv2';
    const answered = fetch(
      `${connector.url}/v3/conversations/${encodeURIComponent(conversationId)}/activities`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', text: 'hello' }),
      },
    ).then(
      (r) => `answered ${r.status}`,
      (e: unknown) => String(e),
    );
    await arrival;
    await connector.close();
    expect(await answered).toMatch(/fetch failed/);
    expect(asked).toBe(1);
    expect(connector.sent()).toHaveLength(0);
  });

  test('the connector records a send and answers with an activity id', async () => {
    const connector = await FakeConnector.start();
    try {
      const conversationId = '19:abc@thread.tacv2;messageid=1700000000001';
      const res = await fetch(
        `${connector.url}/v3/conversations/${encodeURIComponent(conversationId)}/activities`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
          body: JSON.stringify({ type: 'message', text: 'hello' }),
        },
      );
      expect(res.status).toBe(201);
      const rec = await connector.waitFor((r) => r.kind === 'send');
      expect(rec).toMatchObject({
        conversationId,
        body: { text: 'hello' },
        headers: { authorization: '***' },
      });
      expect(connector.sent()).toHaveLength(1);

      connector.failNext({ pathContains: '/activities', status: 429, headers: { 'Retry-After': '1' } });
      const throttled = await fetch(
        `${connector.url}/v3/conversations/${encodeURIComponent(conversationId)}/activities/1`,
        {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 'message', text: 'edit' }),
        },
      );
      expect(throttled.status).toBe(429);
      expect(connector.updates()).toHaveLength(0);
    } finally {
      await connector.close();
    }
  });

  test('TeamsClient posts Teams-shaped message and invoke activities', async () => {
    const received: Array<Record<string, unknown>> = [];
    const bot: Server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const activity = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
        received.push(activity);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          activity['type'] === 'invoke'
            ? JSON.stringify({
                statusCode: 200,
                type: 'application/vnd.microsoft.activity.message',
                value: 'ok',
              })
            : undefined,
        );
      });
    });
    await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
    try {
      const teams = new TeamsClient({
        botUrl: `http://127.0.0.1:${(bot.address() as AddressInfo).port}`,
        serviceUrl: 'http://127.0.0.1:1',
        botId: BOT_ID,
        botName: 'Fix & Provision',
        tenantId: TENANT,
      });
      const from = { name: 'Admin', aadObjectId: ADMIN_OID };
      const msg = await teams.message({ from, text: 'retry-provisioning alice@contoso.com' });
      expect(msg.status).toBe(200);
      const activity = received[0] ?? {};
      expect(activity['text']).toBe('<at>Fix &amp; Provision</at> retry-provisioning alice@contoso.com');
      expect(activity['entities']).toContainEqual({
        type: 'mention',
        text: '<at>Fix &amp; Provision</at>',
        mentioned: { id: `28:${BOT_ID}`, name: 'Fix & Provision' },
      });
      expect(activity['conversation']).toMatchObject({
        conversationType: 'channel',
        id: `19:fakechannel@thread.tacv2;messageid=${String(activity['id'])}`,
        isGroup: true,
      });

      const inv = await teams.invoke({
        from,
        conversationId: String((activity['conversation'] as Record<string, unknown>)['id']),
        replyToId: '1700000100000',
        data: { action: 'approve' },
        token: 'sso-token',
      });
      expect(inv.body).toMatchObject({ statusCode: 200 });
      expect(received[1]).toMatchObject({
        type: 'invoke',
        name: 'adaptiveCard/action',
        replyToId: '1700000100000',
        value: {
          action: { type: 'Action.Execute', verb: 'ignored', data: { action: 'approve' } },
          authentication: { token: 'sso-token' },
        },
      });
    } finally {
      await new Promise<void>((resolve) => bot.close(() => resolve()));
    }
  });
});
