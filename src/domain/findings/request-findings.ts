import { stateWords } from '../../infra/graph/enum-words';
import type { GraphApi } from '../../infra/graph/graph-api';
import type { Diagnosis } from '../actions/diagnosis';
import {
  daysSinceCompleted,
  isReprocessable,
  REPROCESS_WINDOW_DAYS,
} from '../actions/reprocess-access-request/action';
import type { AssignmentRequest } from '../actions/reprocess-access-request/target';
import { ACCESS_REQUEST_KNOWLEDGE } from '../actions/reprocess-access-request/diagnosis';
import { diagnoseEach, type Finding, type TargetFindings } from './finding';

const PAST_WINDOW = `No reprocess button: Graph reprocesses a request only within ${REPROCESS_WINDOW_DAYS} days of its completion.`;

/** Why a failed request can no longer be reprocessed, or undefined while it can. */
function outOfWindow(r: AssignmentRequest, now: Date): string | undefined {
  const days = daysSinceCompleted(r, now);
  return days !== undefined && days > REPROCESS_WINDOW_DAYS
    ? `This request completed ${Math.floor(days)} days ago and Graph reprocesses a request only within ${REPROCESS_WINDOW_DAYS} days of completion. Ask the user to request the access package again.`
    : undefined;
}

/** One failed request as a finding: its state's diagnosis, and a reprocess while the 14-day window is open. */
export async function requestFinding(r: AssignmentRequest, graph: GraphApi, now: Date): Promise<Finding> {
  const state = r.state ?? 'unknown';
  const [advice] = await diagnoseEach(
    graph,
    ACCESS_REQUEST_KNOWLEDGE,
    [{ kind: 'access-request', code: state }],
    r.id,
  );
  const closed = outOfWindow(r, now);
  const diagnosis: Diagnosis = closed
    ? { ...(advice as Diagnosis), retryHelps: false, fixFirst: closed }
    : (advice as Diagnosis);
  const pkg = r.accessPackage?.displayName ?? r.accessPackage?.id ?? 'access package';
  return {
    kind: 'access-request',
    // Named by its package; the card's footer keeps the request's id with the command that reprocesses it.
    what: `${pkg} request: ${stateWords(state, r.status)}`,
    code: state,
    ...(r.completedDateTime
      ? { when: { word: 'Completed', at: r.completedDateTime } }
      : r.createdDateTime
        ? { when: { word: 'Requested', at: r.createdDateTime } }
        : {}),
    diagnosis,
    ...(closed
      ? { noRemediation: PAST_WINDOW }
      : { remediation: { action: 'reprocess-access-request', target: r.id } }),
  };
}

/** One access package request: its state, and its failure when delivery failed. */
export async function requestFindings(
  r: AssignmentRequest,
  graph: GraphApi,
  now: Date,
): Promise<TargetFindings> {
  const state = r.state ?? 'unknown';
  const pkg = r.accessPackage?.displayName ?? r.accessPackage?.id ?? 'access package';
  const who = r.requestor?.displayName ?? r.requestor?.email ?? r.requestor?.objectId ?? 'unknown requestor';
  return {
    targetKind: 'request',
    id: r.id,
    label: `${pkg} for ${who}`,
    facts: [
      { title: 'Request id', value: r.id },
      { title: 'State', value: stateWords(state, r.status) },
      { title: 'Access package', value: pkg },
      { title: 'Requestor', value: `${who}${r.requestor?.email ? ` (${r.requestor.email})` : ''}` },
      { title: 'Created', value: r.createdDateTime ?? '—' },
      { title: 'Completed', value: r.completedDateTime ?? '—' },
    ],
    findings: isReprocessable(state) ? [await requestFinding(r, graph, now)] : [],
    unread: [],
  };
}
