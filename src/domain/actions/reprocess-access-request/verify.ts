import { stateWords } from '../../../infra/graph/enum-words';
import type { GraphApi } from '../../../infra/graph/graph-api';
import { segment } from '../../../infra/graph/odata';
import type { VerifyFinding } from '../action';
import { REQUESTS, type ReprocessAccessRequestTarget } from './target';

/** States in which entitlement management is still working on the request (accessPackageAssignmentRequest). */
const UNDER_WAY = new Set(['submitted', 'pendingapproval', 'scheduled', 'delivering']);

/**
 * Resolved when the request is delivered (accessPackageAssignmentRequest state `delivered`); in progress
 * while entitlement management is still working on it; still failing in any other state (deliveryFailed,
 * partiallyDelivered, …), with that state and status, since only delivery grants the access.
 */
export async function verifyReprocessAccessRequest(
  target: ReprocessAccessRequestTarget,
  graph: GraphApi,
): Promise<VerifyFinding> {
  const request = await graph.get<{ readonly state?: string; readonly status?: string }>(
    `${REQUESTS}/${segment(target.requestId)}`,
  );
  const state = request.state ?? 'unknown';
  if (state.toLowerCase() === 'delivered') {
    return { kind: 'resolved', changed: `the request is delivered (it was ${target.state})` };
  }
  if (UNDER_WAY.has(state.toLowerCase())) {
    return {
      kind: 'in-progress',
      state: `The request is ${stateWords(state, request.status)}.`,
    };
  }
  return {
    kind: 'failing',
    current: [`The request is ${stateWords(state, request.status)}, not delivered.`],
  };
}
