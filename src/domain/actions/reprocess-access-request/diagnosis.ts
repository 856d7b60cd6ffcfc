import type { GraphApi } from '../../../infra/graph/graph-api';
import type { Diagnosis, KnowledgeEntry } from '../diagnosis';
import { diagnoseSignals } from '../diagnosis-facts';

const REPROCESS =
  'https://learn.microsoft.com/graph/api/accesspackageassignmentrequest-reprocess?view=graph-rest-1.0';
const TROUBLESHOOT = 'https://learn.microsoft.com/entra/id-governance/entitlement-management-troubleshoot';

/** Access package delivery failures, by the request's state (`code`) and what was said of it (`text`). */
export const ACCESS_REQUEST_KNOWLEDGE: readonly KnowledgeEntry[] = [
  {
    id: 'access-resource-gone',
    kind: 'access-request',
    recognise: { text: /(resource (was )?(not found|removed|deleted)|does not exist|no longer exists)/i },
    cause: 'A resource of the access package (a group, app or SharePoint site) no longer exists.',
    retryHelps: false,
    fixFirst: 'Remove the missing resource from the access package (or restore it); then reprocess.',
    source: TROUBLESHOOT,
    samples: [
      {
        kind: 'access-request',
        code: 'DeliveryFailed',
        text: 'The request is DeliveryFailed: the resource was not found.',
      },
    ],
  },
  {
    id: 'access-partially-delivered',
    kind: 'access-request',
    recognise: { code: /^PartiallyDelivered$/i },
    cause: 'Some of the access package’s resources were delivered and some were not.',
    retryHelps: true,
    fixFirst:
      'Nothing known to fix first: reprocessing retries only the resources that failed, within 14 days of completion.',
    source: REPROCESS,
    samples: [{ kind: 'access-request', code: 'PartiallyDelivered' }],
  },
  {
    id: 'access-delivery-failed',
    kind: 'access-request',
    recognise: { code: /^DeliveryFailed$/i },
    cause: 'Entitlement management could not add the user to the access package’s resources.',
    retryHelps: true,
    fixFirst:
      'A reprocess retries delivery (within 14 days of completion). If it fails again, open the request’s history in Entra to see which resource refused the user.',
    source: REPROCESS,
    samples: [{ kind: 'access-request', code: 'DeliveryFailed' }],
  },
];

/** Diagnoses a request from the state its look-up read; it reads nothing more. */
export function diagnoseAccessRequest(
  target: { readonly requestId: string; readonly state: string },
  graph: GraphApi,
): Promise<Diagnosis[]> {
  const signal = { kind: 'access-request', code: target.state };
  return diagnoseSignals(graph, ACCESS_REQUEST_KNOWLEDGE, [signal], target.requestId);
}
