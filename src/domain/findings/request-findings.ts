import { stateWords } from '../../infra/graph/enum-words';
import { isMissing } from '../../infra/graph/directory-lookup';
import type { GraphApi } from '../../infra/graph/graph-api';
import { segment } from '../../infra/graph/odata';
import type { Diagnosis } from '../actions/diagnosis';
import { isReprocessable, REPROCESS_WINDOW_DAYS, REQUESTS } from '../actions/reprocess-access-request/action';
import { ACCESS_REQUEST_KNOWLEDGE } from '../actions/reprocess-access-request/diagnosis';
import { diagnoseEach, type Finding, type TargetFindings } from './finding';

/** An access package assignment request as its list and get pages return it, accessPackage and requestor expanded. */
export interface AssignmentRequest {
  readonly id: string;
  readonly requestType?: string;
  readonly state?: string;
  readonly status?: string;
  readonly createdDateTime?: string;
  readonly completedDateTime?: string | null;
  readonly accessPackage?: { readonly id?: string; readonly displayName?: string } | null;
  readonly requestor?: {
    readonly objectId?: string;
    readonly displayName?: string;
    readonly email?: string;
  } | null;
}

const DAY_MS = 86_400_000;

const PAST_WINDOW = `No reprocess button: Graph reprocesses a request only within ${REPROCESS_WINDOW_DAYS} days of its completion.`;

/** Why a failed request can no longer be reprocessed, or undefined while it can. */
function outOfWindow(r: AssignmentRequest, now: Date): string | undefined {
  if (!r.completedDateTime) return undefined;
  const days = (now.getTime() - Date.parse(r.completedDateTime)) / DAY_MS;
  return days > REPROCESS_WINDOW_DAYS
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
    what: `${pkg}, request ${r.id}: ${stateWords(state, r.status)}`,
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

/** Reads one request by id; undefined when Graph does not know it. */
export async function readRequest(graph: GraphApi, id: string): Promise<AssignmentRequest | undefined> {
  try {
    return await graph.get<AssignmentRequest>(`${REQUESTS}/${segment(id)}`, {
      query: { $expand: 'accessPackage,requestor' },
    });
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
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
