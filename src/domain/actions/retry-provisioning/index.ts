import type { GraphApi } from '../../../infra/graph/graph-api';
import type { RemediationDefinition } from '../definition';
import { USER_PROVISIONING_KNOWLEDGE, diagnoseUserProvisioning } from './diagnosis';
import { retryProvisioning } from './action';
import { userProvisioningDetector } from './detector';

/** User service provisioning: the `retry-provisioning` command and the `user-provisioning` failures it fixes. */
export const retryProvisioningRemediation = {
  name: 'retry-provisioning',
  kind: 'user-provisioning',
  label: 'User service provisioning',
  kindAliases: ['provisioning', 'user', 'users'],
  failureTitle: (label) => `Service provisioning failed for ${label}`,
  takesJob: false,
  action: () => retryProvisioning,
  detector: userProvisioningDetector,
  knowledge: USER_PROVISIONING_KNOWLEDGE,
  diagnose: (target: unknown, graph: GraphApi) =>
    diagnoseUserProvisioning(target as Parameters<typeof diagnoseUserProvisioning>[0], graph),
} as const satisfies RemediationDefinition<'retry-provisioning', 'user-provisioning'>;
