import type { GraphApi } from '../../../infra/graph/graph-api';
import { eq } from '../../../infra/graph/odata';
import type { VerifyFinding } from '../action';
import { CLOUD_PCS, type CloudPc, type RetryCloudPcPolicyTarget } from './target';

/**
 * Resolved when none of the Cloud PCs that were failed under the policy is still failed; a Cloud PC deleted
 * since counts as no longer failed. A record that did not keep their ids judges every Cloud PC of the policy.
 */
export async function verifyRetryCloudPcPolicy(
  target: RetryCloudPcPolicyTarget,
  graph: GraphApi,
): Promise<VerifyFinding> {
  const pcs = await graph.list<CloudPc>(CLOUD_PCS, {
    version: 'beta',
    query: { $filter: eq('provisioningPolicyId', target.policy.id), $select: 'id,status' },
    maxItems: 10000,
  });
  const watched = target.failedCloudPcIds;
  const failed = pcs.filter(
    (pc) => pc.status?.toLowerCase() === 'failed' && (!watched || watched.includes(pc.id)),
  );
  if (failed.length > 0) {
    return {
      kind: 'failing',
      current: [
        `${failed.length} Cloud PC${failed.length === 1 ? ' is' : 's are'} still failed: ${failed.map((pc) => pc.id).join(', ')}`,
      ],
    };
  }
  const was = watched?.length ?? target.failedCloudPcs;
  return {
    kind: 'resolved',
    changed: `none of the ${was} Cloud PC${was === 1 ? '' : 's'} that had failed is failed any more`,
  };
}
