import type { DirectoryUser } from '../../../infra/graph/directory-lookup';
import type { GraphApi } from '../../../infra/graph/graph-api';
import { describeLicenseState, isLicenseInError } from '../../../infra/graph/license-states';
import { segment } from '../../../infra/graph/odata';
import type { VerifyFinding } from '../action';
import type { ReprocessLicenseTarget } from './target';

/**
 * Resolved when none of the user's licenceAssignmentStates is in Error or ActiveWithError (or carries an
 * error code). The states are "returned only on $select" (user resource page), so they are asked for.
 */
export async function verifyReprocessLicense(
  target: ReprocessLicenseTarget,
  graph: GraphApi,
): Promise<VerifyFinding> {
  const user = await graph.get<DirectoryUser>(`/users/${segment(target.user.id)}`, {
    query: { $select: 'id,licenseAssignmentStates' },
  });
  const states = user.licenseAssignmentStates ?? [];
  const failing = states.filter(isLicenseInError);
  if (failing.length > 0) return { kind: 'failing', current: failing.map((s) => describeLicenseState(s)) };
  const count = `${states.length} licence assignment${states.length === 1 ? '' : 's'}`;
  return { kind: 'resolved', changed: `none of ${count} is in error any more` };
}
