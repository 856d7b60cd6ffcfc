import type { Version } from './description';

/**
 * One Graph call the product makes, with what its API reference page says about it. The generator slices the
 * description along these paths, the contract test requires every recorded request to be one of them (and
 * every one of them to be exercised by the suite), and the README's Graph section is written from them.
 */
export interface GraphCall {
  readonly method: 'GET' | 'POST';
  readonly version: Version;
  /** The path template as the path resolver writes it. */
  readonly path: string;
  /** Navigation properties the product expands; their target types are vendored too. */
  readonly expand?: readonly string[];
  /** Whose token the product sends: its own app-only token, the approver's on-behalf-of token, or either. */
  readonly identity: 'app' | 'approver' | 'both';
  /** What the product uses it for, in a few words. */
  readonly purpose: string;
  /** Delegated permissions the page accepts (least privileged first) that fit the product's use. */
  readonly delegated?: readonly string[];
  /** Application permissions the page accepts (least privileged first). */
  readonly application?: readonly string[];
  /**
   * For an action without parameters, what its page says of the body: "Don't supply a request body" (none)
   * or "supply an empty JSON object {}" (empty-object).
   */
  readonly requestBody?: 'none' | 'empty-object';
  readonly page: string;
}

const API = 'https://learn.microsoft.com/graph/api';
const USERS_READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const GROUPS_READ = ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'];
const EM_READ = ['EntitlementManagement.Read.All', 'EntitlementManagement.ReadWrite.All'];
const SYNC_READ = ['Synchronization.Read.All', 'Synchronization.ReadWrite.All'];
const CLOUDPC_READ = ['CloudPC.Read.All', 'CloudPC.ReadWrite.All'];
const REQUESTS = '/identityGovernance/entitlementManagement/assignmentRequests';
const JOBS = '/servicePrincipals/{id}/synchronization/jobs';
const POLICIES = '/deviceManagement/virtualEndpoint/provisioningPolicies';

/** Every Graph call of the product. */
export const GRAPH_SURFACE: readonly GraphCall[] = [
  {
    method: 'GET',
    version: 'v1.0',
    path: '/users',
    identity: 'app',
    purpose: 'find a user by UPN, mail or name; who holds an address; the monitor if Graph refuses delta',
    application: USERS_READ,
    page: `${API}/user-list?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/users/delta',
    identity: 'app',
    purpose: 'watch for provisioning errors: what changed since the last cycle (delta query)',
    application: USERS_READ,
    page: `${API}/user-delta?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/users/{id}',
    identity: 'both',
    purpose: 'read a user and their errors; read licence states back after a reprocess',
    delegated: USERS_READ,
    application: USERS_READ,
    page: `${API}/user-get?view=graph-rest-1.0`,
  },
  {
    method: 'POST',
    version: 'v1.0',
    path: '/users/{id}/retryServiceProvisioning',
    identity: 'approver',
    purpose: 'retry-provisioning',
    delegated: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    requestBody: 'none',
    page: `${API}/user-retryserviceprovisioning?view=graph-rest-1.0`,
  },
  {
    method: 'POST',
    version: 'v1.0',
    path: '/users/{id}/reprocessLicenseAssignment',
    identity: 'approver',
    purpose: 'reprocess-license',
    delegated: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
    requestBody: 'none',
    page: `${API}/user-reprocesslicenseassignment?view=graph-rest-1.0`,
  },
  {
    method: 'POST',
    version: 'v1.0',
    path: '/users/{id}/checkMemberGroups',
    identity: 'app',
    purpose: 'group rules of the approval policy',
    application: [
      'User.Read.All and GroupMember.Read.All',
      'User.Read.All and Group.Read.All',
      'Directory.Read.All',
    ],
    page: `${API}/directoryobject-checkmembergroups?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/groups',
    identity: 'app',
    purpose: 'find a group by name; groups with licence errors; which group holds an address',
    application: GROUPS_READ,
    page: `${API}/group-list?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/contacts',
    identity: 'app',
    purpose: 'which organizational contact holds an address (diagnosis)',
    application: ['OrgContact.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
    page: `${API}/orgcontact-list?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/subscribedSkus',
    identity: 'app',
    purpose: "a product's name, consumed and enabled seats (diagnosis)",
    application: ['LicenseAssignment.Read.All', 'Organization.Read.All', 'Directory.Read.All'],
    page: `${API}/subscribedsku-list?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/groups/{id}',
    identity: 'app',
    purpose: "find a group by id (--group); a licensing group's name (diagnose)",
    application: GROUPS_READ,
    page: `${API}/group-get?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/groups/{id}/members/microsoft.graph.user',
    identity: 'app',
    purpose: 'the users of a group (--group)',
    application: ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All'],
    page: `${API}/group-list-members?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/groups/{id}/membersWithLicenseErrors',
    identity: 'app',
    purpose: "a licensing group's members in error",
    application: GROUPS_READ,
    page: `${API}/resources/group?view=graph-rest-1.0#relationships`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/servicePrincipals',
    identity: 'app',
    purpose: 'find an enterprise app by name',
    application: ['Application.Read.All', 'Directory.Read.All'],
    page: `${API}/serviceprincipal-list?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/servicePrincipals/{id}',
    identity: 'app',
    purpose: 'find an enterprise app by object id',
    application: ['Application.Read.All', 'Directory.Read.All'],
    page: `${API}/serviceprincipal-get?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/servicePrincipals(appId={appId})',
    identity: 'app',
    purpose: 'find an enterprise app by appId',
    application: ['Application.Read.All', 'Directory.Read.All'],
    page: `${API}/serviceprincipal-get?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: JOBS,
    identity: 'app',
    purpose: "an app's provisioning jobs, their status and quarantine (diagnose)",
    application: SYNC_READ,
    page: `${API}/synchronization-synchronization-list-jobs?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: `${JOBS}/{id}/schema`,
    identity: 'app',
    purpose: "a job's synchronization rules",
    application: SYNC_READ,
    page: `${API}/synchronization-synchronizationschema-get?view=graph-rest-1.0`,
  },
  {
    method: 'POST',
    version: 'v1.0',
    path: `${JOBS}/{id}/provisionOnDemand`,
    identity: 'approver',
    purpose: 'provision-on-demand',
    delegated: ['Synchronization.ReadWrite.All'],
    page: `${API}/synchronization-synchronizationjob-provisionondemand?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: REQUESTS,
    expand: ['accessPackage', 'requestor'],
    identity: 'app',
    purpose: 'failed access package requests',
    application: EM_READ,
    page: `${API}/entitlementmanagement-list-assignmentrequests?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: `${REQUESTS}/{id}`,
    expand: ['accessPackage', 'requestor'],
    identity: 'app',
    purpose: 'read one access package request',
    application: EM_READ,
    page: `${API}/accesspackageassignmentrequest-get?view=graph-rest-1.0`,
  },
  {
    method: 'POST',
    version: 'v1.0',
    path: `${REQUESTS}/{id}/reprocess`,
    identity: 'approver',
    purpose: 'reprocess-access-request',
    delegated: ['EntitlementManagement.ReadWrite.All'],
    requestBody: 'none',
    page: `${API}/accesspackageassignmentrequest-reprocess?view=graph-rest-1.0`,
  },
  {
    method: 'GET',
    version: 'v1.0',
    path: '/auditLogs/provisioning',
    identity: 'app',
    purpose: 'failed entries of the provisioning log',
    application: ['AuditLog.Read.All and Directory.Read.All'],
    page: `${API}/provisioningobjectsummary-list?view=graph-rest-1.0`,
  },
  {
    method: 'POST',
    version: 'v1.0',
    path: '/$batch',
    identity: 'approver',
    purpose: 'bulk runs: up to 20 remediations per request',
    delegated: ['(each request needs its own permission)'],
    page: 'https://learn.microsoft.com/graph/json-batching',
  },
  {
    method: 'GET',
    version: 'beta',
    path: POLICIES,
    identity: 'app',
    purpose: 'find a Cloud PC provisioning policy by name',
    application: CLOUDPC_READ,
    page: `${API}/virtualendpoint-list-provisioningpolicies?view=graph-rest-beta`,
  },
  {
    method: 'GET',
    version: 'beta',
    path: `${POLICIES}/{id}`,
    identity: 'app',
    purpose: 'read a Cloud PC provisioning policy',
    application: CLOUDPC_READ,
    page: `${API}/cloudpcprovisioningpolicy-get?view=graph-rest-beta`,
  },
  {
    method: 'POST',
    version: 'beta',
    path: `${POLICIES}/{id}/retry`,
    identity: 'approver',
    purpose: 'retry-cloudpc-policy',
    delegated: ['CloudPC.ReadWrite.All'],
    requestBody: 'empty-object',
    page: `${API}/cloudpcprovisioningpolicy-retry?view=graph-rest-beta`,
  },
  {
    method: 'GET',
    version: 'beta',
    path: '/deviceManagement/virtualEndpoint/cloudPCs',
    identity: 'app',
    purpose: "failed Cloud PCs and a policy's Cloud PCs",
    application: CLOUDPC_READ,
    page: `${API}/virtualendpoint-list-cloudpcs?view=graph-rest-beta`,
  },
  {
    method: 'POST',
    version: 'beta',
    path: '/$batch',
    identity: 'approver',
    purpose: 'bulk runs of retry-cloudpc-policy',
    delegated: ['(each request needs its own permission)'],
    page: 'https://learn.microsoft.com/graph/json-batching',
  },
];

/** The call a resolved request is, if the product is meant to make it. */
export function surfaceCall(version: Version, method: string, template: string): GraphCall | undefined {
  return GRAPH_SURFACE.find((c) => c.version === version && c.method === method && c.path === template);
}
