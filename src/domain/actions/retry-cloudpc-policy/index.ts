import type { GraphApi } from '../../../infra/graph/graph-api';
import type { RemediationDefinition } from '../definition';
import { CLOUDPC_KNOWLEDGE } from './diagnosis';
import { diagnoseFailedCloudPcs, retryCloudPcPolicy } from './action';
import type { RetryCloudPcPolicyTarget } from './target';
import { cloudPcDetector } from './detector';

/** Cloud PC provisioning: the `retry-cloudpc-policy` command and the `cloudpc` failures it fixes. */
export const retryCloudPcPolicyRemediation = {
  name: 'retry-cloudpc-policy',
  kind: 'cloudpc',
  label: 'Cloud PC provisioning',
  kindAliases: ['cloud-pc', 'cloudpcs'],
  failureTitle: (label) => `Cloud PCs failed to provision: ${label}`,
  takesJob: false,
  action: () => retryCloudPcPolicy,
  detector: cloudPcDetector,
  knowledge: CLOUDPC_KNOWLEDGE,
  diagnose: (target: unknown, graph: GraphApi) =>
    diagnoseFailedCloudPcs(target as RetryCloudPcPolicyTarget, graph),
} as const satisfies RemediationDefinition<'retry-cloudpc-policy', 'cloudpc'>;
