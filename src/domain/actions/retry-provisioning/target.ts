/* What retrying service provisioning acts on: shared by the action and its check. */
import type { DirectoryUser } from '../../../infra/graph/directory-lookup';

/** What is kept between confirmation and execution. */
export interface RetryProvisioningTarget {
  readonly user: Pick<DirectoryUser, 'id' | 'displayName' | 'userPrincipalName'>;
  readonly unresolvedErrors: number;
  /** The service instances that were failing when this was confirmed, which verification watches. */
  readonly failingServices?: readonly string[];
}
