/* What retrying a Cloud PC policy acts on, as Graph lists it: shared by the action and its check. */

/** A Cloud PC provisioning policy as its list and get pages return it. */
export interface ProvisioningPolicy {
  readonly id: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly provisioningType?: string;
}

/** A Cloud PC as the policy's list reads it; statusDetail says why a failed one failed. */
export interface CloudPc {
  readonly id: string;
  readonly displayName?: string;
  readonly status?: string;
  readonly statusDetail?: { readonly code?: string | null; readonly message?: string | null } | null;
}

/** What is kept between confirmation and execution. */
export interface RetryCloudPcPolicyTarget {
  readonly policy: Pick<ProvisioningPolicy, 'id' | 'displayName' | 'provisioningType'>;
  readonly failedCloudPcs: number;
  /** The Cloud PCs that were failed when this was confirmed, which verification watches. */
  readonly failedCloudPcIds?: readonly string[];
}

/** Where a policy's Cloud PCs are listed. */
export const CLOUD_PCS = '/deviceManagement/virtualEndpoint/cloudPCs';

/** The most Cloud PCs of one policy a look-up or a check reads. */
export const CLOUD_PCS_READ = 10_000;
