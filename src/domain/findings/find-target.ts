import { enumWords } from '../../infra/graph/enum-words';
import {
  describeUser,
  findServicePrincipals,
  findUsers,
  matchCount,
  PICK_LIST_SIZE,
  unlistedMatches,
  type DirectoryUser,
  type ServicePrincipal,
} from '../../infra/graph/directory-lookup';
import type { GraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import { isGuid } from '../../infra/graph/odata';
import { findPolicies } from '../actions/retry-cloudpc-policy/action';
import type { ProvisioningPolicy } from '../actions/retry-cloudpc-policy/target';
import type { TargetKind, TargetFindings } from './finding';
import { appFindings, policyFindings } from './object-findings';
import { readRequest } from '../actions/reprocess-access-request/action';
import type { AssignmentRequest } from '../actions/reprocess-access-request/target';
import { requestFindings } from './request-findings';
import { userFindings } from './user-findings';

/** A match the admin picks from: what it is, and the id that names it unambiguously. */
export interface TargetCandidate {
  readonly label: string;
  readonly kind: TargetKind;
  readonly id: string;
}

/** What diagnosing a named target gives: its findings, or why there is no single target. */
export type DiagnoseOutcome =
  | { readonly kind: 'found'; readonly target: TargetFindings }
  | {
      readonly kind: 'ambiguous';
      readonly prompt: string;
      readonly candidates: readonly TargetCandidate[];
    }
  | { readonly kind: 'not-found'; readonly message: string };

type Match =
  | { readonly kind: 'user'; readonly item: DirectoryUser }
  | { readonly kind: 'policy'; readonly item: ProvisioningPolicy }
  | { readonly kind: 'request'; readonly item: AssignmentRequest }
  | { readonly kind: 'app'; readonly item: ServicePrincipal };

/** How a not-found message names each kind. */
const NOUNS: Readonly<Record<TargetKind, string>> = {
  user: 'user',
  policy: 'Cloud PC provisioning policy',
  request: 'access package request',
  app: 'enterprise app',
};

/** The objects of one kind that a query names, by the same look-ups the remediations use. */
async function lookup(kind: TargetKind, graph: GraphApi, query: string): Promise<Match[]> {
  switch (kind) {
    case 'user':
      return (await findUsers(graph, query)).map((item) => ({ kind, item }));
    case 'policy':
      return (await findPolicies(graph, query)).map((item) => ({ kind, item }));
    case 'app':
      return (await findServicePrincipals(graph, query)).map((item) => ({ kind, item }));
    case 'request': {
      if (!isGuid(query)) return [];
      const item = await readRequest(graph, query);
      return item ? [{ kind, item }] : [];
    }
  }
}

function labelOf(m: Match): string {
  switch (m.kind) {
    case 'user':
      return `user ${describeUser(m.item)}`;
    case 'policy':
      return `policy ${m.item.displayName ?? m.item.id} (${m.item.provisioningType ? enumWords(m.item.provisioningType) : 'unknown type'})`;
    case 'app':
      return `app ${m.item.displayName ?? m.item.id} (appId ${m.item.appId ?? '?'})`;
    case 'request':
      return `request for ${m.item.accessPackage?.displayName ?? 'an access package'}`;
  }
}

/** The kinds a bare target is looked for as: an address can only be a user, an id only one object. */
function kindsFor(query: string): readonly TargetKind[] {
  if (query.includes('@')) return ['user'];
  if (isGuid(query)) return ['user', 'request', 'app', 'policy'];
  return ['user', 'app', 'policy'];
}

/**
 * Every object the query names: of the given kind, or, without one, of every kind it could be. An id is looked
 * for kind after kind until one has it (object ids are unique across kinds). A kind whose read Graph refuses
 * is left out while another kind matches; when none matches, the refusal is what the admin sees.
 */
async function matches(graph: GraphApi, query: string, kind?: TargetKind): Promise<Match[]> {
  if (kind) return lookup(kind, graph, query);
  const kinds = kindsFor(query);
  const refusals: GraphFailure[] = [];
  const attempt = (k: TargetKind) =>
    lookup(k, graph, query).catch((err: unknown) => {
      if (!(err instanceof GraphFailure)) throw err;
      refusals.push(err);
      return [] as Match[];
    });
  let found: Match[] = [];
  if (isGuid(query)) {
    for (const k of kinds) {
      found = await attempt(k);
      if (found.length > 0) break;
    }
  } else {
    found = (await Promise.all(kinds.map(attempt))).flat();
  }
  const [refused] = refusals;
  if (found.length === 0 && refused) throw refused;
  return found;
}

/** Reads the findings of one matched object. */
function findingsOf(m: Match, graph: GraphApi, now: Date): Promise<TargetFindings> {
  switch (m.kind) {
    case 'user':
      return userFindings(m.item, graph, now);
    case 'policy':
      return policyFindings(m.item, graph);
    case 'app':
      return appFindings(m.item, graph, now);
    case 'request':
      return requestFindings(m.item, graph, now);
  }
}

/**
 * Finds the target a `diagnose` names and reads every failure signal of it with the app's read-only client.
 * Several matches are never guessed between: the admin gets them with their ids.
 */
export async function diagnoseTarget(
  graph: GraphApi,
  query: string,
  now: Date,
  kind?: TargetKind,
): Promise<DiagnoseOutcome> {
  const q = query.trim();
  const found = await matches(graph, q, kind);
  const [only] = found;
  if (!only) {
    const what = kind ? NOUNS[kind] : 'user, Cloud PC provisioning policy, access package request or app';
    return {
      kind: 'not-found',
      message: `No ${what} matches "${q}". Check the spelling, or use the object id (a UPN for a user).`,
    };
  }
  if (found.length > 1) {
    return {
      kind: 'ambiguous',
      prompt: `${matchCount(found.length)} objects match "${q}". Which one do you mean?${unlistedMatches(found.length)}`,
      candidates: found
        .slice(0, PICK_LIST_SIZE)
        .map((m) => ({ label: labelOf(m), kind: m.kind, id: m.item.id })),
    };
  }
  return { kind: 'found', target: await findingsOf(only, graph, now) };
}
