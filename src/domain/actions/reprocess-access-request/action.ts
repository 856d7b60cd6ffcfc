import { stateWords } from '../../../infra/graph/enum-words';
import { isMissing } from '../../../infra/graph/directory-lookup';
import { listUpTo, type GraphApi, type Listed } from '../../../infra/graph/graph-api';
import { segment } from '../../../infra/graph/odata';
import { sendRequest, type Confirmation, type RemediationAction, type Resolution } from '../action';
import { lookupUser } from '../resolve-user';
import { diagnoseAccessRequest } from './diagnosis';
import { REQUESTS, type AssignmentRequest, type ReprocessAccessRequestTarget } from './target';
import { verifyReprocessAccessRequest } from './verify';

const REPROCESSABLE = new Set(['deliveryfailed', 'partiallydelivered']);

/** True for a request state Graph reprocesses (deliveryFailed, partiallyDelivered), in any case. */
export function isReprocessable(state: string): boolean {
  return REPROCESSABLE.has(state.toLowerCase());
}
/**
 * The failed requests, by the one filter the request's page documents (`state`, eq). A user's requests are
 * picked from these by requestor in code: the page documents no filter on `requestor/objectId`.
 */
export const FAILED_REQUESTS_FILTER = "state eq 'deliveryFailed' or state eq 'partiallyDelivered'";

/** The most failed requests one look-up reads to find a user's (the list has no documented order). */
export const FAILED_REQUESTS_READ = 5000;

/**
 * A user's failed requests, newest first, from the tenant's failed requests read up to
 * {@link FAILED_REQUESTS_READ}; `complete` false means the tenant has more, so the user may have others.
 */
export async function failedRequestsOf(graph: GraphApi, userId: string): Promise<Listed<AssignmentRequest>> {
  const read = await listUpTo<AssignmentRequest>(graph, REQUESTS, FAILED_REQUESTS_READ, {
    query: { $filter: FAILED_REQUESTS_FILTER, $expand: 'accessPackage,requestor' },
  });
  const id = userId.toLowerCase();
  const items = read.items
    .filter((r) => isReprocessable(r.state ?? '') && r.requestor?.objectId?.toLowerCase() === id)
    .sort((a, b) => Date.parse(b.createdDateTime ?? '') - Date.parse(a.createdDateTime ?? ''));
  return { ...read, items };
}

/** Graph reprocesses a request only within this many days of its completion. */
export const REPROCESS_WINDOW_DAYS = 14;

function describe(r: AssignmentRequest): string {
  return `${r.accessPackage?.displayName ?? 'access package'} for ${r.requestor?.displayName ?? 'unknown requestor'}`;
}

/**
 * Part of the tenant's failed requests cannot say which of a user's is the newest, or that there is none: the
 * admin names the request instead.
 */
function tooManyFailedRequests(user: string): Resolution<never> {
  return {
    kind: 'refused',
    title: 'Too many failed requests to search',
    message:
      `The tenant has more than ${FAILED_REQUESTS_READ.toLocaleString('en-US')} access package requests in ` +
      `DeliveryFailed or PartiallyDelivered, more than one look-up reads, so the bot cannot tell which of ` +
      `${user}'s is the newest. Name the request by its id instead: reprocess-access-request <request-id> ` +
      `(Identity Governance → Access packages → the package's Requests, or the monitor's alert, shows it).`,
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

/** Whole days since the request completed, when it did: Graph reprocesses only within REPROCESS_WINDOW_DAYS. */
export function daysSinceCompleted(r: AssignmentRequest, now: Date): number | undefined {
  return r.completedDateTime ? (now.getTime() - Date.parse(r.completedDateTime)) / 86_400_000 : undefined;
}

function precondition(r: AssignmentRequest, now: Date): string | undefined {
  const state = r.state ?? 'unknown';
  if (!isReprocessable(state)) {
    return `This request is ${state}. Only requests in DeliveryFailed or PartiallyDelivered can be reprocessed.`;
  }
  const ageDays = daysSinceCompleted(r, now);
  if (ageDays !== undefined && ageDays > REPROCESS_WINDOW_DAYS) {
    return `This request completed ${Math.floor(ageDays)} days ago; Graph reprocesses only within ${REPROCESS_WINDOW_DAYS} days. Ask the user to request the access package again.`;
  }
  return undefined;
}

/** Builds the action with the clock it checks the 14-day window against. */
export function createReprocessAccessRequest(
  now: () => Date,
): RemediationAction<ReprocessAccessRequestTarget> {
  return {
    name: 'reprocess-access-request',
    aliases: ['reprocess-access', 'reprocess-request', 'access-request'],
    summary: 'Reprocess a failed access package assignment request',
    description:
      'Asks Entitlement Management to deliver a request in DeliveryFailed or PartiallyDelivered again (within 14 days of completion).',
    examples: [
      'reprocess-access-request 3a5f1c6e-8b1f-4ad0-9a2f-0c1e2d3f4a5b',
      'reprocess-access-request --user alice@contoso.com',
    ],
    syntax: {
      positional: [
        {
          name: 'request',
          placeholder: 'request-id',
          required: false,
          description: 'The assignment request id',
        },
      ],
      flags: [
        {
          name: 'user',
          placeholder: 'user',
          required: false,
          description: 'Instead of an id: the user whose newest failed request to reprocess',
        },
      ],
      check: (args) => {
        const hasId = args.positional.request !== undefined;
        const hasUser = args.flags.user !== undefined;
        if (hasId === hasUser) return 'Give either a request id or --user <user>, not both and not neither.';
        return undefined;
      },
    },
    graphVersion: 'v1.0',
    permission: 'EntitlementManagement.ReadWrite.All',
    roles: ['Access Package Assignment Manager', 'Identity Governance Administrator', 'Global Administrator'],

    async resolve(args, graph): Promise<Resolution<ReprocessAccessRequestTarget>> {
      let request: AssignmentRequest | undefined;
      if (args.positional.request) {
        request = await readRequest(graph, args.positional.request);
        if (!request) {
          return {
            kind: 'not-found',
            message: `No access package assignment request has the id "${args.positional.request}".`,
          };
        }
      } else {
        const found = await lookupUser(graph, args, { flag: 'user' });
        if (found.kind !== 'one') return found;
        const requests = await failedRequestsOf(graph, found.item.id);
        if (!requests.complete) return tooManyFailedRequests(found.item.displayName ?? found.item.id);
        request = requests.items[0];
        if (!request) {
          return {
            kind: 'not-found',
            message: `${found.item.displayName ?? found.item.id} has no access package request in DeliveryFailed or PartiallyDelivered.`,
          };
        }
      }
      const blocked = precondition(request, now());
      const state = request.state ?? 'unknown';
      const target: ReprocessAccessRequestTarget = {
        requestId: request.id,
        accessPackage: request.accessPackage?.displayName ?? request.accessPackage?.id ?? 'unknown',
        requestor: request.requestor?.displayName ?? request.requestor?.objectId ?? 'unknown',
        state,
      };
      const confirmation: Confirmation = {
        title: `Reprocess access request: ${describe(request)}`,
        why: `The request is ${stateWords(state, request.status)}.`,
        facts: [
          { title: 'Request id', value: request.id },
          { title: 'State', value: stateWords(state, request.status) },
          { title: 'Access package', value: request.accessPackage?.displayName ?? '—' },
          {
            title: 'Requestor',
            value:
              `${request.requestor?.displayName ?? '—'} ${request.requestor?.email ? `(${request.requestor.email})` : ''}`.trim(),
          },
          { title: 'Request type', value: request.requestType ?? '—' },
          { title: 'Created', value: request.createdDateTime ?? '—' },
          { title: 'Completed', value: request.completedDateTime ?? '—' },
        ],
        problems: isReprocessable(state)
          ? [`Delivery ${state === 'partiallyDelivered' ? 'partly ' : ''}failed.`]
          : [],
        ...(blocked ? { blocked } : {}),
      };
      if (blocked) return { kind: 'resolved', target, confirmation };
      const diagnoses = await diagnoseAccessRequest(target, graph);
      return {
        kind: 'resolved',
        target,
        confirmation: diagnoses.length > 0 ? { ...confirmation, diagnoses } : confirmation,
      };
    },

    request(target) {
      return { method: 'POST', url: `${REQUESTS}/${segment(target.requestId)}/reprocess`, version: 'v1.0' };
    },

    execute(target, graph) {
      return sendRequest(graph, this.request(target));
    },

    describe(target) {
      return { id: target.requestId, label: `${target.accessPackage} for ${target.requestor}` };
    },

    verify: verifyReprocessAccessRequest,

    interpret(target) {
      return {
        outcome: 'succeeded',
        summary: `Entitlement Management accepted the request to deliver ${target.accessPackage} to ${target.requestor} again.`,
        facts: [{ title: 'State before', value: target.state }],
        details: [],
      };
    },
  };
}
