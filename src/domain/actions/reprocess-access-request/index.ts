import type { GraphApi } from '../../../infra/graph/graph-api';
import type { RemediationDefinition } from '../definition';
import { ACCESS_REQUEST_KNOWLEDGE, diagnoseAccessRequest } from './diagnosis';
import { createReprocessAccessRequest } from './action';
import { accessRequestDetector } from './detector';

/** Access package request: the `reprocess-access-request` command and the `access-request` failures it fixes. */
export const reprocessAccessRequestRemediation = {
  name: 'reprocess-access-request',
  kind: 'access-request',
  label: 'Access package request',
  kindAliases: ['access-requests', 'access-package'],
  failureTitle: (label) => `Access package delivery failed: ${label}`,
  takesJob: false,
  action: (clock) => createReprocessAccessRequest(() => new Date(clock.now())),
  detector: accessRequestDetector,
  knowledge: ACCESS_REQUEST_KNOWLEDGE,
  diagnose: (target: unknown, graph: GraphApi) =>
    diagnoseAccessRequest(target as Parameters<typeof diagnoseAccessRequest>[0], graph),
} as const satisfies RemediationDefinition<'reprocess-access-request', 'access-request'>;
