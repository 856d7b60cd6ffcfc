import type { EntraClientRegistration } from './fake-entra';
import type {
  AccessPackageAssignmentRequestSeed,
  GraphSeed,
  GraphUserSeed,
  GroupSeed,
  ProvisioningLogSeed,
} from './fake-graph-types';

/** Ids of the simulated Contoso tenant, shared by the integration tests and the local sandbox. */
export const CONTOSO = {
  tenantId: 'c0000000-0000-4000-8000-000000000001',
  foreignTenantId: 'f0000000-0000-4000-8000-0000000000ff',
  clientId: 'a0000000-0000-4000-8000-0000000000a1',
  clientSecret: 'sandbox-client-secret',
  botId: 'b0000000-0000-4000-8000-0000000000b1',
  users: {
    alice: '10000000-0000-4000-8000-000000000001',
    bob: '10000000-0000-4000-8000-000000000002',
    samA: '10000000-0000-4000-8000-000000000003',
    samB: '10000000-0000-4000-8000-000000000004',
    carol: '10000000-0000-4000-8000-000000000005',
  },
  admins: {
    /** Holds every remediation role. */
    ada: '20000000-0000-4000-8000-000000000001',
    /** Requests remediations; holds no role. */
    reggie: '20000000-0000-4000-8000-000000000002',
    /** Holds no role: Graph refuses her approvals with 403. */
    nora: '20000000-0000-4000-8000-000000000003',
  },
  policies: {
    frontline: '30000000-0000-4000-8000-000000000001',
    dedicated: '30000000-0000-4000-8000-000000000002',
  },
  requests: {
    failed: '40000000-0000-4000-8000-000000000001',
    delivered: '40000000-0000-4000-8000-000000000002',
    stale: '40000000-0000-4000-8000-000000000003',
  },
  apps: {
    salesforce: '50000000-0000-4000-8000-000000000001',
    workday: '50000000-0000-4000-8000-000000000002',
  },
  groups: {
    /** Group-based licensing group; Alice's licence from it is in error (CountViolation). */
    e5: '60000000-0000-4000-8000-000000000001',
  },
} as const;

const HOUR = 3_600_000;

/** An Exchange errorDetail in the shape the services publish: ServiceInstance › ObjectErrors › ErrorRecord. */
function exchangeError(code: string, description: string): string {
  return `<ServiceInstance Name="exchange/namprd11-001-01" xmlns="http://schemas.microsoft.com/online/directoryservices/change/2008/11"><ObjectErrors><ErrorRecord><ErrorCode>${code}</ErrorCode><ErrorParameters /><ErrorDescription>${description}</ErrorDescription></ErrorRecord></ObjectErrors></ServiceInstance>`;
}

const DAY = 86_400_000;

/**
 * The delegated Graph permissions the app registration requests (aad.manifest.json, type Scope) and an admin
 * consents to: one per remediation, each action's `permission`. On-behalf-of tokens carry them as `scp`.
 */
export const CONTOSO_DELEGATED_SCOPES: readonly string[] = [
  'User.ReadWrite.All',
  'CloudPC.ReadWrite.All',
  'EntitlementManagement.ReadWrite.All',
  'Synchronization.ReadWrite.All',
];

/**
 * The bot's app registration in the fake Entra, consented for {@link CONTOSO_DELEGATED_SCOPES}; callers add the
 * app roles and names their test needs.
 */
export function contosoBotRegistration(
  extra: Partial<EntraClientRegistration> = {},
): EntraClientRegistration {
  return {
    clientId: CONTOSO.clientId,
    clientSecret: CONTOSO.clientSecret,
    tenantId: CONTOSO.tenantId,
    appIdUris: [`api://botid-${CONTOSO.clientId}`],
    delegatedScopes: [...CONTOSO_DELEGATED_SCOPES],
    ...extra,
  };
}

/** The configuration keys that point a bot at the Contoso app registration and the fakes on loopback. */
export function contosoBotEnv(entraUrl: string, graphUrl: string): Record<string, string> {
  return {
    AAD_APP_CLIENT_ID: CONTOSO.clientId,
    AAD_APP_CLIENT_SECRET: CONTOSO.clientSecret,
    AAD_APP_TENANT_ID: CONTOSO.tenantId,
    AAD_APP_OAUTH_AUTHORITY_HOST: entraUrl,
    GRAPH_BASE_URL: graphUrl,
  };
}

/** A tenant with one object in each failure state the five remediations address. */
export function contosoSeed(now: Date): GraphSeed {
  const ago = (days: number) => new Date(now.getTime() - days * DAY).toISOString();
  const u = CONTOSO.users;
  const user = (id: string, displayName: string, upn: string) => ({
    id,
    displayName,
    userPrincipalName: upn,
    mail: upn,
    accountEnabled: true,
    serviceProvisioningErrors: [],
    licenseAssignmentStates: [],
  });
  return {
    users: [
      {
        ...user(u.alice, 'Alice Smith', 'alice@contoso.com'),
        serviceProvisioningErrors: [
          {
            createdDateTime: ago(1),
            isResolved: false,
            serviceInstance: 'exchange/namprd11-001-01',
            errorDetail: exchangeError(
              'ExDuplicateProxyAddress',
              'The proxy address SMTP:alice@contoso.com is already used by another recipient.',
            ),
          },
        ],
        licenseAssignmentStates: [
          {
            skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
            state: 'Error',
            error: 'CountViolation',
            assignedByGroup: '60000000-0000-4000-8000-000000000001',
            disabledPlans: [],
            lastUpdatedDateTime: ago(2),
          },
          {
            skuId: '4b585984-651b-448a-9e53-3b10f069cf7f',
            state: 'Active',
            error: null,
            assignedByGroup: null,
            disabledPlans: [],
            lastUpdatedDateTime: ago(30),
          },
        ],
      },
      user(u.bob, 'Bob Jones', 'bob@contoso.com'),
      user(u.samA, 'Sam Lee', 'sam.lee@contoso.com'),
      user(u.samB, 'Sam Lee', 'sam.lee2@contoso.com'),
      {
        ...user(u.carol, "Carol O'Brien", 'carol@contoso.com'),
        // Some tenants answer "None" instead of null for a licence without error.
        licenseAssignmentStates: [
          {
            skuId: '4b585984-651b-448a-9e53-3b10f069cf7f',
            state: 'Active',
            error: 'None',
            assignedByGroup: null,
            disabledPlans: [],
            lastUpdatedDateTime: ago(30),
          },
        ],
      },
      user(CONTOSO.admins.ada, 'Ada Admin', 'ada@contoso.com'),
      user(CONTOSO.admins.reggie, 'Reggie Requester', 'reggie@contoso.com'),
      user(CONTOSO.admins.nora, 'Nora NoRole', 'nora@contoso.com'),
    ],
    // Office 365 E5 (ENTERPRISEPREMIUM), the group-licensed product Alice's CountViolation names: a seat
    // has been freed since, so reprocessing can help.
    subscribedSkus: [
      {
        skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
        skuPartNumber: 'ENTERPRISEPREMIUM',
        consumedUnits: 24,
        enabledUnits: 25,
      },
      // Office 365 F3, which Alice and Carol hold directly.
      {
        skuId: '4b585984-651b-448a-9e53-3b10f069cf7f',
        skuPartNumber: 'DESKLESSPACK',
        consumedUnits: 2,
        enabledUnits: 10,
      },
    ],
    roles: {
      [CONTOSO.admins.ada]: [
        'User Administrator',
        'License Administrator',
        'Cloud PC Administrator',
        'Identity Governance Administrator',
        'Application Administrator',
      ],
    },
    provisioningPolicies: [
      {
        id: CONTOSO.policies.frontline,
        displayName: 'Frontline shift workers',
        provisioningType: 'sharedByEntraGroup',
      },
      { id: CONTOSO.policies.dedicated, displayName: 'Engineering dedicated', provisioningType: 'dedicated' },
    ],
    cloudPcs: [
      {
        id: 'cpc-1',
        displayName: 'CPC-FL-1',
        status: 'failed',
        provisioningPolicyId: CONTOSO.policies.frontline,
        userPrincipalName: '',
      },
      {
        id: 'cpc-2',
        displayName: 'CPC-FL-2',
        status: 'failed',
        provisioningPolicyId: CONTOSO.policies.frontline,
        userPrincipalName: '',
      },
      {
        id: 'cpc-3',
        displayName: 'CPC-FL-3',
        status: 'provisioned',
        provisioningPolicyId: CONTOSO.policies.frontline,
        userPrincipalName: '',
      },
    ],
    accessPackageAssignmentRequests: [
      {
        id: CONTOSO.requests.failed,
        requestType: 'userAdd',
        state: 'deliveryFailed',
        status: 'DeliveryFailed',
        createdDateTime: ago(2),
        completedDateTime: ago(1),
        accessPackage: { id: '70000000-0000-4000-8000-000000000001', displayName: 'Sales tools' },
        requestor: {
          id: 'subj-alice',
          objectId: u.alice,
          displayName: 'Alice Smith',
          email: 'alice@contoso.com',
          subjectType: 'user',
        },
      },
      {
        id: CONTOSO.requests.delivered,
        requestType: 'userAdd',
        state: 'delivered',
        status: 'Delivered',
        createdDateTime: ago(5),
        completedDateTime: ago(5),
        accessPackage: { id: '70000000-0000-4000-8000-000000000002', displayName: 'Marketing site' },
        requestor: {
          id: 'subj-bob',
          objectId: u.bob,
          displayName: 'Bob Jones',
          email: 'bob@contoso.com',
          subjectType: 'user',
        },
      },
      {
        id: CONTOSO.requests.stale,
        requestType: 'userAdd',
        state: 'deliveryFailed',
        status: 'DeliveryFailed',
        createdDateTime: ago(30),
        completedDateTime: ago(20),
        accessPackage: { id: '70000000-0000-4000-8000-000000000003', displayName: 'Finance reports' },
        requestor: {
          id: 'subj-bob',
          objectId: u.bob,
          displayName: 'Bob Jones',
          email: 'bob@contoso.com',
          subjectType: 'user',
        },
      },
    ],
    groups: [
      {
        id: CONTOSO.groups.e5,
        displayName: 'Licensing - Microsoft 365 E5',
        memberIds: [u.alice, u.bob],
      },
    ],
    provisioningLogs: [
      provisioningLog(now, 2 * HOUR, 'log-alice-sf', u.alice, 'Alice Smith', 'failure'),
      provisioningLog(now, 1 * HOUR, 'log-bob-sf', u.bob, 'Bob Jones', 'success'),
      provisioningLog(now, 72 * HOUR, 'log-carol-sf-old', u.carol, "Carol O'Brien", 'failure'),
      provisioningLog(
        now,
        3 * HOUR,
        'log-e5-group-sf',
        CONTOSO.groups.e5,
        'Licensing - Microsoft 365 E5',
        'failure',
        'Group',
      ),
    ],
    servicePrincipals: [
      {
        id: CONTOSO.apps.salesforce,
        appId: '51000000-0000-4000-8000-000000000001',
        displayName: 'Salesforce',
      },
      { id: CONTOSO.apps.workday, appId: '51000000-0000-4000-8000-000000000002', displayName: 'Workday' },
    ],
    synchronizationJobs: {
      [CONTOSO.apps.salesforce]: [
        {
          id: 'salesforce.a1b2c3',
          templateId: 'salesforce',
          status: { code: 'Active' },
          schema: {
            synchronizationRules: [
              {
                id: 'rule-sf-out',
                name: 'USER_OUTBOUND',
                sourceDirectoryName: 'Azure Active Directory',
                targetDirectoryName: 'Salesforce',
                editable: true,
              },
            ],
          },
        },
      ],
      [CONTOSO.apps.workday]: [
        {
          id: 'workday.in1',
          templateId: 'workday',
          status: { code: 'Active' },
          schema: {
            synchronizationRules: [
              {
                id: 'rule-wd-in',
                name: 'USER_INBOUND',
                sourceDirectoryName: 'Workday',
                targetDirectoryName: 'Azure Active Directory',
                editable: true,
              },
            ],
          },
        },
        {
          id: 'workday.wb2',
          templateId: 'workdayWriteback',
          status: { code: 'Paused' },
          schema: {
            synchronizationRules: [
              {
                id: 'rule-wd-wb',
                name: 'USER_WRITEBACK',
                sourceDirectoryName: 'Azure Active Directory',
                targetDirectoryName: 'Workday',
                editable: true,
              },
            ],
          },
        },
      ],
    },
  };
}

/**
 * A Salesforce provisioning-log entry for a user (or a group), `agoMs` before `now`; failures are duplicate
 * names. The target identity of an object not created yet is empty: "" for its id and name, as in the list page.
 */
export function provisioningLog(
  now: Date,
  agoMs: number,
  id: string,
  objectId: string,
  name: string,
  status: 'success' | 'failure',
  identityType: 'User' | 'Group' = 'User',
): ProvisioningLogSeed {
  return {
    id,
    activityDateTime: new Date(now.getTime() - agoMs).toISOString(),
    jobId: 'salesforce.a1b2c3',
    provisioningAction: 'create',
    servicePrincipal: { id: CONTOSO.apps.salesforce, displayName: 'Salesforce' },
    sourceSystem: { displayName: 'Azure Active Directory' },
    targetSystem: { displayName: 'Salesforce' },
    sourceIdentity: { id: objectId, displayName: name, identityType, details: {} },
    targetIdentity: { id: '', displayName: '', identityType, details: {} },
    provisioningStatusInfo:
      status === 'success'
        ? { status: 'success', errorInformation: null }
        : {
            status: 'failure',
            errorInformation: {
              errorCode: `SalesforceDuplicate${identityType === 'User' ? 'UserName' : 'GroupName'}`,
              reason: `The name of ${name} is already used by another Salesforce ${identityType.toLowerCase()}.`,
              recommendedAction: 'Change the name mapping or remove the duplicate in Salesforce.',
            },
          },
  };
}

/** What {@link failingUsers} makes: the users and a group that holds them all. */
export interface FailingUsers {
  readonly users: GraphUserSeed[];
  readonly group: GroupSeed;
  readonly ids: string[];
}

/**
 * `count` users whose Exchange provisioning failed and whose licence from one group is in error, as when a
 * connector breaks for a whole department; ids are GUIDs numbered from `first` so several sets never clash.
 * Bulk tests and the benchmark add them to the Contoso seed.
 */
export function failingUsers(
  count: number,
  now: Date,
  options: { first?: number; prefix?: string } = {},
): FailingUsers {
  const first = options.first ?? 1;
  const prefix = options.prefix ?? 'bulk';
  const groupId = `61000000-0000-4000-8000-${first.toString(16).padStart(12, '0')}`;
  const users: GraphUserSeed[] = [];
  for (let n = first; n < first + count; n++) {
    const id = `90000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    const upn = `${prefix}.user${String(n).padStart(5, '0')}@contoso.com`;
    users.push({
      id,
      displayName: `${prefix} user ${n}`,
      userPrincipalName: upn,
      mail: upn,
      accountEnabled: true,
      serviceProvisioningErrors: [
        {
          createdDateTime: new Date(now.getTime() - HOUR).toISOString(),
          isResolved: false,
          serviceInstance: 'exchange/namprd11-001-01',
          errorDetail: exchangeError('ExMailboxCreationFailed', 'The mailbox could not be created.'),
        },
      ],
      licenseAssignmentStates: [
        {
          skuId: 'c7df2760-2c81-4ef7-b578-5b5392b571df',
          state: 'Error',
          error: 'CountViolation',
          assignedByGroup: groupId,
          disabledPlans: [],
          lastUpdatedDateTime: new Date(now.getTime() - HOUR).toISOString(),
        },
      ],
    });
  }
  return {
    users,
    group: { id: groupId, displayName: `${prefix} department (${count})`, memberIds: users.map((u) => u.id) },
    ids: users.map((u) => u.id),
  };
}

/**
 * `count` access package requests that failed delivery a day before `now`, each by a different requestor who
 * is none of Contoso's people: a large tenant's backlog, for the look-ups that read at most so many.
 */
export function failedRequestBacklog(count: number, now: Date): AccessPackageAssignmentRequestSeed[] {
  const at = new Date(now.getTime() - 86_400_000).toISOString();
  return Array.from({ length: count }, (_, n) => ({
    id: `7a000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    requestType: 'userAdd',
    state: 'deliveryFailed',
    status: 'DeliveryFailed',
    createdDateTime: at,
    completedDateTime: at,
    accessPackage: { id: '70000000-0000-4000-8000-000000000003', displayName: 'Field tools' },
    requestor: {
      id: `subj-field-${n}`,
      objectId: `7b000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
      displayName: `Field worker ${n}`,
      email: `field${n}@contoso.com`,
      subjectType: 'user',
    },
  }));
}
