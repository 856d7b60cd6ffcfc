/* What reprocessing an access request acts on, as Graph lists it: shared by the action and its check. */

/** An access package assignment request as its list and get pages return it, accessPackage and requestor expanded. */
export interface AssignmentRequest {
  readonly id: string;
  readonly requestType?: string;
  readonly state?: string;
  readonly status?: string;
  readonly createdDateTime?: string;
  readonly completedDateTime?: string | null;
  readonly accessPackage?: { readonly id?: string; readonly displayName?: string } | null;
  readonly requestor?: {
    readonly objectId?: string;
    readonly displayName?: string;
    readonly email?: string;
  } | null;
}

/** What is kept between confirmation and execution. */
export interface ReprocessAccessRequestTarget {
  readonly requestId: string;
  readonly accessPackage: string;
  readonly requestor: string;
  readonly state: string;
}

/** Where Entitlement Management's assignment requests are read. */
export const REQUESTS = '/identityGovernance/entitlementManagement/assignmentRequests';
