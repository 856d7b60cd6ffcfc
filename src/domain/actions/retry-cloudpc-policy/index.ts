import type { RemediationDefinition } from '../definition';
import { CLOUDPC_KNOWLEDGE } from './diagnosis';
import { retryCloudPcPolicy } from './action';
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
} as const satisfies RemediationDefinition<'retry-cloudpc-policy', 'cloudpc'>;
