import { describeUser, type DirectoryUser, type LicenseAssignmentState } from '../graph/directory-lookup';
import { segment } from '../graph/odata';
import { sendRequest, type Confirmation, type RemediationAction } from './action';
import { GROUP_FLAG, USERS_PARAM, usersOrGroup } from './choose-one';
import { lookupUser, userFacts } from './resolve-user';

/** What is kept between confirmation and execution. */
export interface ReprocessLicenseTarget {
  readonly user: Pick<DirectoryUser, 'id' | 'displayName' | 'userPrincipalName'>;
}

/** One licence state as a card line, e.g. `6fd2c87f… Error (CountViolation), from group 1234…`. */
export function describeLicenseState(s: LicenseAssignmentState): string {
  const error = s.error && s.error !== 'None' ? ` (${s.error})` : '';
  const origin = s.assignedByGroup ? `, from group ${s.assignedByGroup}` : ', direct';
  return `${s.skuId ?? 'unknown SKU'}: ${s.state ?? 'unknown'}${error}${origin}`;
}

function inError(s: LicenseAssignmentState): boolean {
  return (s.error !== undefined && s.error !== 'None') || /error/i.test(s.state ?? '');
}

/** The target and confirmation for a user already read from Graph (a lookup or a group's member list). */
function confirmFor(user: DirectoryUser): { target: ReprocessLicenseTarget; confirmation: Confirmation } {
  const states = user.licenseAssignmentStates ?? [];
  const errors = states.filter(inError);
  return {
    target: {
      user: { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName },
    },
    confirmation: {
      title: `Reprocess licence assignments for ${user.displayName ?? user.id}`,
      why:
        errors.length > 0
          ? `${errors.length} licence assignment${errors.length === 1 ? ' is' : 's are'} in error.`
          : `No licence errors are on record; reprocessing re-evaluates ${states.length} assignment${states.length === 1 ? '' : 's'}.`,
      facts: [...userFacts(user), { title: 'Licence assignments', value: String(states.length) }],
      problems: errors.map(describeLicenseState),
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
    return { kind: 'resolved', ...confirmFor(found.item) };
  },

  request(target) {
    return {
      method: 'POST',
      url: `/users/${segment(target.user.id)}/reprocessLicenseAssignment`,
      version: 'v1.0',
    };
  },

  execute(target, graph) {
    return sendRequest(graph, reprocessLicense.request(target));
  },

  describe(target) {
    return { id: target.user.id, label: describeUser(target.user) };
  },

  group: {
    members: (groupId) => ({
      path: `/groups/${segment(groupId)}/membersWithLicenseErrors`,
      select: 'id,displayName,userPrincipalName,licenseAssignmentStates',
    }),
    fromUser: confirmFor,
  },

  interpret(target, result) {
    const states = (result.body as DirectoryUser | undefined)?.licenseAssignmentStates ?? [];
    const stillFailing = states.filter(inError);
    return {
      outcome: 'succeeded',
      summary:
        stillFailing.length > 0
          ? `Reprocessing started for ${target.user.displayName ?? target.user.id}; ${stillFailing.length} assignment${stillFailing.length === 1 ? ' is' : 's are'} still in error.`
          : `Reprocessing started for ${target.user.displayName ?? target.user.id}; no assignment is in error.`,
      facts: [{ title: 'Licence assignments', value: String(states.length) }],
      details: states.map(describeLicenseState),
    };
  },
};
