import type { GraphApi } from '../../../infra/graph/graph-api';
import { segment } from '../../../infra/graph/odata';
import type { VerifyFinding } from '../action';
import { REQUESTS, type ReprocessAccessRequestTarget } from './action';

/**
 * Resolved when the request is delivered (accessPackageAssignmentRequest state `delivered`); still failing
 * while it is in any other state, with that state and status, since only delivery grants the access.
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
  return {
    kind: 'failing',
    current: [`The request is ${state}${request.status ? ` (${request.status})` : ''}, not delivered.`],
  };
}
