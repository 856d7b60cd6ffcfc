import { listUpTo, type GraphApi } from '../../../infra/graph/graph-api';
import { eq } from '../../../infra/graph/odata';
import type { VerifyFinding } from '../action';
import { CLOUD_PCS, CLOUD_PCS_READ, type CloudPc, type RetryCloudPcPolicyTarget } from './target';

/**
 * Resolved when none of the Cloud PCs that were failed under the policy is still failed; a Cloud PC deleted
 * since counts as no longer failed. A record that did not keep their ids judges every Cloud PC of the policy.
 */
export async function verifyRetryCloudPcPolicy(
  target: RetryCloudPcPolicyTarget,
  graph: GraphApi,
): Promise<VerifyFinding> {
  const read = await listUpTo<CloudPc>(graph, CLOUD_PCS, CLOUD_PCS_READ, {
    version: 'beta',
    query: { $filter: eq('provisioningPolicyId', target.policy.id), $select: 'id,status' },
  });
  const watched = target.failedCloudPcIds;
  const failed = read.items.filter(
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
  if (!read.complete) {
    return {
      kind: 'unverifiable',
      why: `the policy has more than ${CLOUD_PCS_READ.toLocaleString('en-US')} Cloud PCs, more than one check reads, and none of the first ones is failed; see the policy's Cloud PCs in Intune`,
    };
  }
  const was = watched?.length ?? target.failedCloudPcs;
  return {
    kind: 'resolved',
    changed: `none of the ${was} Cloud PC${was === 1 ? '' : 's'} that had failed is failed any more`,
  };
}
