import {
  describeUser,
  type DirectoryUser,
  type LicenseAssignmentState,
} from '../../../infra/graph/directory-lookup';
import type { GraphApi } from '../../../infra/graph/graph-api';
import { toGraphFailure } from '../../../infra/graph/graph-failure';
import {
  describeLicenseState,
  isLicenseInError,
  type LicenceNames,
} from '../../../infra/graph/license-states';
import { segment } from '../../../infra/graph/odata';
import {
  sendRequest,
  type Confirmation,
  type ExecutionResult,
  type Interpretation,
  type MemberDetail,
  type ReadBack,
  type RemediationAction,
} from '../action';
import { GROUP_FLAG, USERS_PARAM, usersOrGroup } from '../choose-one';
import { lookupUser, userFacts } from '../resolve-user';
import { tenantProducts } from '../diagnosis-facts';
import { diagnoseUserLicences } from './diagnosis';
import { licenceNames, productNames } from './licence-names';
import type { ReprocessLicenseTarget } from './target';
import { verifyReprocessLicense } from './verify';

/** The names among `names` that the states mention: what a target keeps, not the tenant's whole list. */
function keptNames(
  states: readonly LicenseAssignmentState[],
  names: LicenceNames,
): NonNullable<ReprocessLicenseTarget['names']> {
  const pick = (ids: (string | null | undefined)[], from: ReadonlyMap<string, string>) =>
    Object.fromEntries(ids.flatMap((id) => (id && from.has(id) ? [[id, from.get(id) ?? id]] : [])));
  return {
    products: pick(
      states.map((s) => s.skuId),
      names.products,
    ),
    groups: pick(
      states.map((s) => s.assignedByGroup),
      names.groups,
    ),
  };
}

function namesOf(target: ReprocessLicenseTarget): LicenceNames | undefined {
  const n = target.names;
  return n && { products: new Map(Object.entries(n.products)), groups: new Map(Object.entries(n.groups)) };
}

/**
 * Reads the user's licence states after the reprocess: the action answers with a user object, but
 * licenseAssignmentStates is "returned only on $select" (user resource page), so the answer never carries it.
 */
async function readStates(graph: GraphApi, userId: string): Promise<ReadBack> {
  try {
    const body = await graph.get<DirectoryUser>(`/users/${segment(userId)}`, {
      query: { $select: 'licenseAssignmentStates' },
    });
    return { ok: true, body };
  } catch (err) {
    const failure = toGraphFailure(err);
    return { ok: false, code: failure.code, message: failure.message, requestId: failure.requestId };
  }
}

const PROCESSING =
  'Entra processes the assignments in the background, which can take several minutes, so errors can still show right after a reprocess: look again in a few minutes.';

/** What the reprocess means for the admin, from the states read back after it (or without them). */
function interpretReprocess(target: ReprocessLicenseTarget, result: ExecutionResult): Interpretation {
  const name = target.user.displayName ?? target.user.id;
  const read = result.readBack;
  if (!read) {
    return {
      outcome: 'succeeded',
      summary: `Entra accepted the reprocess of ${name}'s licence assignments. Graph's answer does not include their states: check them in Entra in a few minutes.`,
      facts: [],
      details: [],
    };
  }
  if (!read.ok) {
    return {
      outcome: 'succeeded',
      headline: 'Accepted; states unknown',
      summary: `Entra accepted the reprocess of ${name}'s licence assignments, but reading their states afterwards failed (${read.code}: ${read.message}). Check them in Entra in a few minutes.`,
      facts: [{ title: 'Read-back request-id', value: read.requestId ?? '—' }],
      details: [],
    };
  }
  const states: readonly LicenseAssignmentState[] =
    (read.body as DirectoryUser | undefined)?.licenseAssignmentStates ?? [];
  const stillFailing = states.filter(isLicenseInError);
  const count = `${states.length} licence assignment${states.length === 1 ? '' : 's'}`;
  return {
    outcome: 'succeeded',
    ...(stillFailing.length > 0 ? { headline: 'Accepted; errors still shown' } : {}),
    summary:
      stillFailing.length > 0
        ? `Entra accepted the reprocess of ${name}'s licence assignments; ${stillFailing.length} of ${count} still show${stillFailing.length === 1 ? 's' : ''} an error. ${PROCESSING}`
        : `Entra accepted the reprocess of ${name}'s licence assignments; none of ${count} shows an error.`,
    facts: [{ title: 'Licence assignments', value: String(states.length) }],
    details: states.map((s) => describeLicenseState(s, namesOf(target))),
  };
}

/** The target and confirmation for a user already read from Graph (a lookup or a group's member list). */
function confirmFor(
  user: DirectoryUser,
  names?: LicenceNames,
  detail: MemberDetail = { problems: true },
): { target: ReprocessLicenseTarget; confirmation: Confirmation } {
  const states = user.licenseAssignmentStates ?? [];
  const errors = states.filter(isLicenseInError);
  return {
    target: {
      user: { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName },
      ...(names ? { names: keptNames(states, names) } : {}),
    },
    confirmation: {
      title: `Reprocess licence assignments for ${user.displayName ?? user.id}`,
      why:
        errors.length > 0
          ? `${errors.length} licence assignment${errors.length === 1 ? ' is' : 's are'} in error.`
          : `No licence errors are on record; reprocessing re-evaluates ${states.length} assignment${states.length === 1 ? '' : 's'}.`,
      facts: [...userFacts(user), { title: 'Licence assignments', value: String(states.length) }],
      problems: detail.problems ? errors.map((s) => describeLicenseState(s, names)) : [],
      ...(states.length === 0
        ? {
            blocked: `${user.displayName ?? 'This user'} has no licence assignments, so there is nothing to reprocess. Assign a licence (directly or through a group) first.`,
          }
        : {}),
    },
  };
}

/** POST /users/{id}/reprocessLicenseAssignment: re-evaluates the user's group-based licences. */
export const reprocessLicense: RemediationAction<ReprocessLicenseTarget> = {
  name: 'reprocess-license',
  aliases: ['reprocess-licence', 'reprocess-license-assignment', 'license'],
  summary: "Reprocess a user's licence assignments",
  description:
    'Re-evaluates every group-based licence of a user, for example after a CountViolation was fixed by buying seats or a conflicting plan was removed.',
  examples: [
    'reprocess-license alice@contoso.com',
    'reprocess-license alice@contoso.com bob@contoso.com',
    'reprocess-license --group "Licensing - Microsoft 365 E5"',
  ],
  syntax: {
    positional: [USERS_PARAM],
    flags: [GROUP_FLAG],
    check: usersOrGroup,
  },
  graphVersion: 'v1.0',
  permission: 'User.ReadWrite.All',
  roles: ['License Administrator', 'User Administrator', 'Directory Writers', 'Global Administrator'],

  async resolve(args, graph) {
    const found = await lookupUser(graph, args, { positional: 'user' });
    if (found.kind !== 'one') return found;
    // With no assignments the card says there is nothing to reprocess, so there is nothing to name.
    const states = found.item.licenseAssignmentStates ?? [];
    if (states.length === 0) return { kind: 'resolved', ...confirmFor(found.item) };
    // Products and groups by name on the card; the tenant's products are read once for both.
    const products = tenantProducts(graph);
    const [diagnoses, names] = await Promise.all([
      diagnoseUserLicences(found.item, graph, products),
      licenceNames(graph, states, products),
    ]);
    const { target, confirmation } = confirmFor(found.item, names);
    return {
      kind: 'resolved',
      target,
      confirmation: { ...confirmation, ...(diagnoses.length > 0 ? { diagnoses } : {}) },
    };
  },

  request(target) {
    return {
      method: 'POST',
      url: `/users/${segment(target.user.id)}/reprocessLicenseAssignment`,
      version: 'v1.0',
    };
  },

  async execute(target, graph) {
    const result = await sendRequest(graph, reprocessLicense.request(target));
    return { ...result, readBack: await readStates(graph, target.user.id) };
  },

  describe(target) {
    return { id: target.user.id, label: describeUser(target.user) };
  },

  group: {
    members: (groupId) => ({
      path: `/groups/${segment(groupId)}/membersWithLicenseErrors`,
      select: 'id,displayName,userPrincipalName,licenseAssignmentStates',
    }),
    fromUser: (user, detail) => confirmFor(user, undefined, detail),
    // The products once for the run, and the group by the name it was found under.
    async named(graph, group) {
      const { products } = await productNames(tenantProducts(graph));
      const groups = new Map([[group.id, group.displayName ?? group.id]]);
      return (user, detail) => confirmFor(user, { products, groups }, detail);
    },
  },

  interpret: interpretReprocess,

  verify: verifyReprocessLicense,
};
