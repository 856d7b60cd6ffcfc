import type { Version } from './description';

/**
 * What a collection accepts beyond what the metadata says: `$top` limits, and whether every query on it is
 * an advanced query (`ConsistencyLevel: eventual` with `$count=true`).
 */
export interface CollectionRow {
  readonly version: Version;
  /** The collection's path template, as the path resolver writes it. */
  readonly collection: string;
  /** `$top` is supported; `max` when the page states one. */
  readonly top?: { readonly max?: number };
  /** Every $filter/$orderby/$search/cast on this collection needs the advanced-query headers. */
  readonly advanced?: 'required';
  readonly page: string;
}

/** How one property of a collection's items may be queried, as its API reference page states. */
export interface PropertyRow {
  readonly version: Version;
  readonly collection: string;
  /** Property path from the item type, e.g. `provisioningStatusInfo/status`. */
  readonly property: string;
  /** Operators the page lists (eq, ne, not, in, gt, ge, lt, le, startswith, endswith, contains, any). */
  readonly filter: readonly string[];
  /** `required`: only as an advanced query; `refused`: only without ConsistencyLevel: eventual. */
  readonly advanced?: 'required' | 'refused';
  readonly orderby?: true;
  /** String comparisons are case sensitive (the page says so). */
  readonly caseSensitive?: true;
  readonly page: string;
  /** Where the page is vague or silent, what the row is based on. */
  readonly note?: string;
}

/** The hand-kept table: what the metadata does not carry, one row per property the product queries. */
export interface QueryCapabilities {
  readonly collections: readonly CollectionRow[];
  readonly properties: readonly PropertyRow[];
}

const LEARN = 'https://learn.microsoft.com/graph';
const USER = `${LEARN}/api/resources/user?view=graph-rest-1.0`;
const GROUP = `${LEARN}/api/resources/group?view=graph-rest-1.0`;
const SP = `${LEARN}/api/resources/serviceprincipal?view=graph-rest-1.0`;
const ADVANCED = `${LEARN}/aad-advanced-queries`;
const REQUESTS = `${LEARN}/api/resources/accesspackageassignmentrequest?view=graph-rest-1.0`;
const LOGS = `${LEARN}/api/resources/provisioningobjectsummary?view=graph-rest-1.0`;
const LOGS_LIST = `${LEARN}/api/provisioningobjectsummary-list?view=graph-rest-1.0`;
const CONTACT = `${LEARN}/api/resources/orgcontact?view=graph-rest-1.0`;
const CLOUD_PCS = `${LEARN}/api/virtualendpoint-list-cloudpcs?view=graph-rest-beta`;

/** Every query the product sends, with the page each capability comes from. */
export const QUERY_CAPABILITIES: QueryCapabilities = {
  collections: [
    {
      version: 'v1.0',
      collection: '/users',
      top: { max: 999 },
      page: `${LEARN}/api/user-list?view=graph-rest-1.0`,
    },
    {
      version: 'v1.0',
      collection: '/groups',
      top: { max: 999 },
      page: `${LEARN}/api/group-list?view=graph-rest-1.0`,
    },
    {
      version: 'v1.0',
      collection: '/groups/{id}/members/microsoft.graph.user',
      top: { max: 999 },
      advanced: 'required',
      page: `${LEARN}/api/group-list-members?view=graph-rest-1.0`,
    },
    {
      version: 'v1.0',
      collection: '/servicePrincipals',
      top: { max: 999 },
      page: `${LEARN}/api/serviceprincipal-list?view=graph-rest-1.0`,
    },
    { version: 'v1.0', collection: '/auditLogs/provisioning', top: {}, page: LOGS_LIST },
    { version: 'beta', collection: '/deviceManagement/virtualEndpoint/cloudPCs', top: {}, page: CLOUD_PCS },
  ],
  properties: [
    {
      version: 'v1.0',
      collection: '/users',
      property: 'proxyAddresses',
      filter: ['any', 'eq', 'not', 'ge', 'le', 'startswith'],
      page: USER,
      note: 'eq inside any() runs without ConsistencyLevel: eventual; endsWith would need it (aad-advanced-queries)',
    },
    {
      version: 'v1.0',
      collection: '/groups',
      property: 'proxyAddresses',
      filter: ['any', 'eq', 'not', 'ge', 'le', 'startswith'],
      page: GROUP,
    },
    {
      version: 'v1.0',
      collection: '/contacts',
      property: 'proxyAddresses',
      filter: ['any', 'eq', 'not', 'ge', 'le', 'startswith'],
      page: CONTACT,
    },
    {
      version: 'v1.0',
      collection: '/users',
      property: 'mail',
      filter: ['eq', 'in', 'startswith'],
      page: USER,
    },
    {
      version: 'v1.0',
      collection: '/users',
      property: 'userPrincipalName',
      filter: ['eq', 'in', 'startswith'],
      orderby: true,
      page: USER,
    },
    {
      version: 'v1.0',
      collection: '/users',
      property: 'displayName',
      filter: ['eq', 'in', 'startswith'],
      orderby: true,
      page: USER,
    },
    {
      version: 'v1.0',
      collection: '/groups',
      property: 'displayName',
      filter: ['eq', 'in', 'startswith'],
      page: ADVANCED,
    },
    {
      version: 'v1.0',
      collection: '/groups',
      property: 'hasMembersWithLicenseErrors',
      filter: ['eq'],
      advanced: 'refused',
      page: GROUP,
      note: 'aad-advanced-queries marks it DefaultOnly; with ConsistencyLevel: eventual Graph answers 400 Request_UnsupportedQuery',
    },
    {
      version: 'v1.0',
      collection: '/servicePrincipals',
      property: 'displayName',
      filter: ['eq', 'in', 'startswith'],
      page: SP,
    },
    { version: 'v1.0', collection: '/servicePrincipals', property: 'appId', filter: ['eq', 'in'], page: SP },
    {
      version: 'v1.0',
      collection: '/identityGovernance/entitlementManagement/assignmentRequests',
      property: 'state',
      filter: ['eq'],
      page: REQUESTS,
    },
    {
      version: 'v1.0',
      collection: '/auditLogs/provisioning',
      property: 'activityDateTime',
      filter: ['eq', 'gt', 'lt'],
      orderby: true,
      caseSensitive: true,
      page: LOGS,
    },
    {
      version: 'v1.0',
      collection: '/auditLogs/provisioning',
      property: 'provisioningStatusInfo/status',
      filter: ['eq', 'contains'],
      caseSensitive: true,
      page: `${LEARN}/api/resources/provisioningstatusinfo?view=graph-rest-beta`,
      note: 'the v1.0 list page says the log supports $filter (eq, contains, gt, lt), case sensitive; the per-property note is on the beta page',
    },
    {
      version: 'v1.0',
      collection: '/auditLogs/provisioning',
      property: 'servicePrincipal/id',
      filter: ['eq'],
      caseSensitive: true,
      page: LOGS,
    },
    {
      version: 'v1.0',
      collection: '/auditLogs/provisioning',
      property: 'jobId',
      filter: ['eq', 'contains'],
      caseSensitive: true,
      page: LOGS,
    },
    {
      version: 'beta',
      collection: '/deviceManagement/virtualEndpoint/cloudPCs',
      property: 'status',
      filter: ['eq'],
      page: CLOUD_PCS,
      note: 'the list page says the collection supports $filter without listing properties',
    },
    {
      version: 'beta',
      collection: '/deviceManagement/virtualEndpoint/cloudPCs',
      property: 'provisioningPolicyId',
      filter: ['eq'],
      page: CLOUD_PCS,
      note: 'the list page says the collection supports $filter without listing properties',
    },
  ],
};

/** The row for a collection, if the table has one. */
export function collectionRule(
  caps: QueryCapabilities,
  version: Version,
  collection: string,
): CollectionRow | undefined {
  return caps.collections.find((c) => c.version === version && c.collection === collection);
}

/** The row for a property of a collection, if the table has one. */
export function propertyRule(
  caps: QueryCapabilities,
  version: Version,
  collection: string,
  property: string,
): PropertyRow | undefined {
  return caps.properties.find(
    (p) => p.version === version && p.collection === collection && p.property === property,
  );
}
