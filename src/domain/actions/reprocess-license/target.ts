/* What reprocessing a licence acts on: shared by the action and its check. */
import type { DirectoryUser } from '../../../infra/graph/directory-lookup';

/** What is kept between confirmation and execution. */
export interface ReprocessLicenseTarget {
  readonly user: Pick<DirectoryUser, 'id' | 'displayName' | 'userPrincipalName'>;
  /**
   * Names of the products and groups the user's states mention, read for the confirmation, by id, so the
   * states read back after the reprocess are named too; absent when Graph refused the reads.
   */
  readonly names?: {
    readonly products: Readonly<Record<string, string>>;
    readonly groups: Readonly<Record<string, string>>;
  };
}
