/** Graph API version prefix; FakeGraph serves the same data under both. */
export type GraphVersion = 'v1.0' | 'beta';

/** serviceProvisioningXmlError: why Entra could not provision a user into a service (Exchange, SharePoint…). */
export interface ServiceProvisioningErrorSeed {
  createdDateTime: string;
  isResolved: boolean;
  serviceInstance: string;
  /** Raw XML string, as Graph returns it. */
  errorDetail?: string;
}

/** licenseAssignmentState.state */
export type LicenseAssignmentStateValue = 'Active' | 'ActiveWithError' | 'Disabled' | 'Error';

/** licenseAssignmentState.error; null when the licence was assigned successfully ("None" is also seen). */
export type LicenseAssignmentErrorValue =
  | null
  | 'None'
  | 'CountViolation'
  | 'MutuallyExclusiveViolation'
  | 'DependencyViolation'
  | 'ProhibitedInUsageLocationViolation'
  | 'UniquenessViolation'
  | 'Other';

/** A per-SKU license assignment state, the input to reprocessLicenseAssignment. */
export interface LicenseAssignmentStateSeed {
  skuId: string;
  state: LicenseAssignmentStateValue;
  error: LicenseAssignmentErrorValue;
  /** Group id for group-based licensing, null for direct assignment. */
  assignedByGroup: string | null;
  disabledPlans: string[];
  lastUpdatedDateTime: string | null;
}

/** assignedLicense */
export interface AssignedLicenseSeed {
  skuId: string;
  disabledPlans: string[];
}

/** A directory user with the provisioning-related properties the bot reads. */
export interface GraphUserSeed {
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string | null;
  accountEnabled?: boolean;
  givenName?: string | null;
  surname?: string | null;
  jobTitle?: string | null;
  department?: string | null;
  usageLocation?: string | null;
  userType?: 'Member' | 'Guest';
  /** e.g. ['SMTP:alice@contoso.com', 'smtp:a.smith@contoso.com']; returned only on $select. */
  proxyAddresses?: string[];
  serviceProvisioningErrors?: ServiceProvisioningErrorSeed[];
  licenseAssignmentStates?: LicenseAssignmentStateSeed[];
  assignedLicenses?: AssignedLicenseSeed[];
  /** Fake-only: reprocessLicenseAssignment leaves the Error states as they are. Never returned. */
  licenseStaysInError?: boolean;
}

/** cloudPcProvisioningPolicy (beta) */
export interface ProvisioningPolicySeed {
  id: string;
  displayName: string;
  description?: string;
  provisioningType: 'dedicated' | 'shared' | 'sharedByUser' | 'sharedByEntraGroup';
  imageDisplayName?: string;
  imageId?: string;
  imageType?: 'gallery' | 'custom';
}

/** cloudPC.status */
export type CloudPcStatus =
  | 'notProvisioned'
  | 'provisioning'
  | 'provisioned'
  | 'inGracePeriod'
  | 'deprovisioning'
  | 'failed'
  | 'provisionedWithWarnings'
  | 'resizing'
  | 'restoring'
  | 'pendingProvision'
  | 'movingRegion'
  | 'preparing';

/** cloudPC (beta) */
export interface CloudPcSeed {
  id: string;
  displayName: string;
  status: CloudPcStatus;
  provisioningPolicyId: string;
  provisioningPolicyName?: string;
  userPrincipalName: string;
  managedDeviceName?: string;
  statusDetail?: { code: string; message: string; additionalInformation?: unknown[] } | null;
}

/** accessPackageAssignmentRequest.state */
export type AccessRequestState =
  | 'submitted'
  | 'pendingApproval'
  | 'delivering'
  | 'delivered'
  | 'deliveryFailed'
  | 'denied'
  | 'scheduled'
  | 'canceled'
  | 'partiallyDelivered';

/** accessPackageAssignmentRequest (entitlement management) */
export interface AccessPackageAssignmentRequestSeed {
  /** Must be a GUID, as in Graph. */
  id: string;
  requestType:
    | 'adminAdd'
    | 'userAdd'
    | 'adminUpdate'
    | 'userUpdate'
    | 'adminRemove'
    | 'userRemove'
    | 'systemAdd'
    | 'systemUpdate'
    | 'systemRemove'
    | 'onBehalfAdd';
  state: AccessRequestState;
  /** Free text detail, e.g. 'DeliveryFailed'. */
  status: string;
  createdDateTime: string;
  completedDateTime?: string | null;
  justification?: string | null;
  accessPackage: { id: string; displayName: string };
  requestor: { id: string; objectId: string; displayName: string; email: string; subjectType: 'user' };
  assignment?: { id: string; targetId: string };
}

/** servicePrincipal */
export interface ServicePrincipalSeed {
  id: string;
  appId: string;
  displayName: string;
}

/** synchronizationRule */
export interface SynchronizationRuleSeed {
  id: string;
  name: string;
  sourceDirectoryName: string;
  targetDirectoryName: string;
  editable: boolean;
}

/** synchronizationJob, with its schema's rules inline. */
export interface SynchronizationJobSeed {
  id: string;
  templateId: string;
  status: {
    code: 'Active' | 'Paused' | 'Quarantine' | 'NotRun' | 'NotConfigured';
    lastExecution?: {
      state: string;
      timeBegan?: string;
      timeEnded?: string;
      error?: { code: string; message: string; tenantActionable: boolean } | null;
    } | null;
    quarantine?: {
      currentBegan: string;
      reason: string;
      error?: { code: string; message: string } | null;
    } | null;
  };
  schedule?: { expiration: string | null; interval: string; state: 'Active' | 'Disabled' | 'Paused' };
  schema: { synchronizationRules: SynchronizationRuleSeed[] };
}

/** Outcome of provisionOnDemand for one subject. */
export type ProvisionOnDemandOutcome = 'Success' | 'Skipped' | 'Failure';

/** Detailed seeded outcome of provisionOnDemand for one subject. */
export interface ProvisionOnDemandResultSeed {
  result: ProvisionOnDemandOutcome;
  errorCode?: string;
  reason?: string;
  recommendedAction?: string;
}

/**
 * A group (group-based licensing). Its hasMembersWithLicenseErrors and membersWithLicenseErrors are derived
 * from the members' licenseAssignmentStates (state Error, assigned by this group), so a reprocess clears them.
 */
export interface GroupSeed {
  id: string;
  displayName: string;
  memberIds: string[];
  /** Every user made by FakeGraph.generateUsers is a member too (after memberIds), made only when read. */
  generatedMembers?: boolean;
  mail?: string | null;
  proxyAddresses?: string[];
}

/** orgContact: an organizational contact (read-only in Graph, synchronized or from Exchange). */
export interface OrgContactSeed {
  id: string;
  displayName: string;
  mail?: string | null;
  proxyAddresses?: string[];
}

/** subscribedSku: a product the tenant bought, with its seats. */
export interface SubscribedSkuSeed {
  skuId: string;
  skuPartNumber: string;
  consumedUnits: number;
  /** prepaidUnits.enabled */
  enabledUnits: number;
  /** servicePlanInfo: the plans the product holds (appliesTo User, provisioningStatus Success). */
  servicePlans?: { servicePlanId: string; servicePlanName: string }[];
}

/** provisionedIdentity: identityType is 'User', 'Group', 'ServicePrincipal', 'RolesCompound'… */
export interface ProvisionedIdentitySeed {
  id: string;
  displayName: string;
  identityType: string;
  details?: Record<string, string>;
}

/** provisioningObjectSummary (/auditLogs/provisioning), the fields the bot reads. */
export interface ProvisioningLogSeed {
  id: string;
  activityDateTime: string;
  jobId: string;
  changeId?: string;
  cycleId?: string;
  provisioningAction: 'create' | 'update' | 'delete' | 'disable' | 'other';
  servicePrincipal: { id: string; displayName: string };
  sourceSystem: { id?: string; displayName: string };
  targetSystem: { id?: string; displayName: string };
  /** An identity the service does not know yet has id and displayName "" (never null), as in the list page. */
  sourceIdentity: ProvisionedIdentitySeed;
  targetIdentity: ProvisionedIdentitySeed;
  provisioningStatusInfo: {
    status: 'success' | 'failure' | 'skipped' | 'warning';
    errorInformation?: {
      errorCode: string;
      reason: string;
      additionalDetails?: string | null;
      errorCategory?: string | null;
      recommendedAction?: string | null;
    } | null;
  };
}

/** Everything FakeGraph serves; each collection given to `seed()` replaces the stored one. */
export interface GraphSeed {
  users?: GraphUserSeed[];
  provisioningPolicies?: ProvisioningPolicySeed[];
  cloudPcs?: CloudPcSeed[];
  accessPackageAssignmentRequests?: AccessPackageAssignmentRequestSeed[];
  servicePrincipals?: ServicePrincipalSeed[];
  /** Keyed by service principal id. */
  synchronizationJobs?: Record<string, SynchronizationJobSeed[]>;
  /** Directory roles held by a user, keyed by oid (e.g. ['User Administrator']). */
  roles?: Record<string, string[]>;
  /** provisionOnDemand outcome per subject objectId; default Success. */
  provisionOnDemandResults?: Record<string, ProvisionOnDemandOutcome | ProvisionOnDemandResultSeed>;
  groups?: GroupSeed[];
  /** /auditLogs/provisioning entries. */
  provisioningLogs?: ProvisioningLogSeed[];
  contacts?: OrgContactSeed[];
  subscribedSkus?: SubscribedSkuSeed[];
}

/** The live data behind FakeGraph (mutated by the remediation endpoints). */
export type GraphStore = Required<GraphSeed>;

/** The five remediation writes, as counted by `callCount`. */
export type RemediationKind =
  | 'retryServiceProvisioning'
  | 'reprocessLicenseAssignment'
  | 'retryCloudPcPolicy'
  | 'reprocessAccessRequest'
  | 'provisionOnDemand';

/** Identity details of the bearer token on a recorded request. */
export interface GraphTokenInfo {
  oid?: string;
  tid?: string;
  idtyp?: string;
  appid?: string;
  scp?: string;
  roles?: string[];
  upn?: string;
}

/** One request as FakeGraph saw and answered it. */
export interface GraphRequestRecord {
  method: string;
  /** Decoded path without the version prefix, e.g. '/users/alice@contoso.com'. */
  path: string;
  version: GraphVersion | undefined;
  /** Path and query exactly as sent. */
  rawUrl: string;
  /** Decoded query parameters ($filter is kept verbatim so tests can assert OData escaping). */
  query: Record<string, string>;
  body: unknown;
  /** Lower-cased; authorization is '***'. */
  headers: Record<string, string>;
  /** Present when the bearer token verified. */
  token?: GraphTokenInfo;
  status: number;
  requestId: string;
  /** Fake-clock time (epoch ms). */
  at: number;
  /** For a request inside a JSON batch: the request-id of its $batch envelope. */
  batchId?: string;
}

/** An injected Graph failure. */
export interface GraphFault {
  method?: string;
  /** Substring of (string) or pattern for (RegExp) the path without version prefix. */
  path: string | RegExp;
  times?: number;
  status: number;
  code: string;
  message: string;
  headers?: Record<string, string>;
  /** Answer only after this many ms (a timer, cleared on close). */
  delayMs?: number;
  /** Instead of answering, destroy the connection (ECONNRESET at the client); recorded with status 0. */
  reset?: boolean;
  /**
   * Send the status line, the headers and half of the body, then nothing more until close: a response that
   * stalls after its headers.
   */
  stallBody?: boolean;
}

/** Handle returned by `hold()`: matching requests wait until `release()`. */
export interface GraphHold {
  release(): void;
  /** Resolves once a matching request is waiting (backlog first). */
  waitForArrival(timeoutMs?: number): Promise<void>;
  /** Number of requests currently held. */
  readonly waiting: number;
}
