import type { DirectoryUser } from '../../../infra/graph/directory-lookup';
import type { GraphApi } from '../../../infra/graph/graph-api';
import { segment } from '../../../infra/graph/odata';
import { describeErrorDetail } from '../../../infra/graph/provisioning-error-detail';
import type { VerifyFinding } from '../action';
import type { RetryProvisioningTarget } from './target';

/**
 * Resolved when no unresolved serviceProvisioningError is left for the service instances that were failing
 * when the retry was approved (any service, for a record that did not keep them). A new failure of another
 * service is not this retry's to judge.
 */
export async function verifyRetryProvisioning(
  target: RetryProvisioningTarget,
  graph: GraphApi,
): Promise<VerifyFinding> {
  const user = await graph.get<DirectoryUser>(`/users/${segment(target.user.id)}`, {
    query: { $select: 'id,serviceProvisioningErrors' },
  });
  const watched = target.failingServices;
  const open = (user.serviceProvisioningErrors ?? []).filter(
    (e) => e.isResolved !== true && (!watched || watched.includes(e.serviceInstance ?? '')),
  );
  if (open.length > 0) {
    return {
      kind: 'failing',
      current: open.map(
        (e) => `${e.serviceInstance ?? 'Unknown service'}: ${describeErrorDetail(e.errorDetail)}`,
      ),
    };
  }
  const services = watched && watched.length > 0 ? watched.join(', ') : 'the services that were failing';
  return { kind: 'resolved', changed: `no unresolved provisioning error is left for ${services}` };
}
