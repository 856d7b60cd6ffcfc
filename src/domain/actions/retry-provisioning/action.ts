import {
  describeUser,
  type DirectoryUser,
  type ServiceProvisioningError,
} from '../../../infra/graph/directory-lookup';
import { segment } from '../../../infra/graph/odata';
import { describeErrorDetail } from '../../../infra/graph/provisioning-error-detail';
import { sendRequest, type Confirmation, type MemberDetail, type RemediationAction } from '../action';
import { GROUP_FLAG, USERS_PARAM, usersOrGroup } from '../choose-one';
import { lookupUser, userFacts } from '../resolve-user';
import { diagnoseUserErrors } from './diagnosis';
import type { RetryProvisioningTarget } from './target';
import { verifyRetryProvisioning } from './verify';

function describeError(e: ServiceProvisioningError): string {
  const when = e.createdDateTime ? ` since ${e.createdDateTime}` : '';
  return `${e.serviceInstance ?? 'Unknown service'}${when}: ${describeErrorDetail(e.errorDetail)}`;
}

/** The target and confirmation for a user already read from Graph (a lookup or a group's member list). */
function confirmFor(
  user: DirectoryUser,
  detail: MemberDetail = { problems: true },
): { target: RetryProvisioningTarget; confirmation: Confirmation } {
  const open = (user.serviceProvisioningErrors ?? []).filter((e) => e.isResolved !== true);
  return {
    target: {
      user: { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName },
      unresolvedErrors: open.length,
      failingServices: [...new Set(open.map((e) => e.serviceInstance ?? ''))],
    },
    confirmation: {
      title: `Retry service provisioning for ${user.displayName ?? user.id}`,
      why:
        open.length > 0
          ? `${open.length} unresolved service provisioning error${open.length === 1 ? '' : 's'} on record.`
          : 'No unresolved service provisioning errors are on record.',
      facts: userFacts(user),
      problems: detail.problems ? open.map(describeError) : [],
      ...(open.length === 0
        ? {
            blocked: `${user.displayName ?? 'This user'} has no unresolved service provisioning errors, so there is nothing to retry.`,
          }
        : {}),
    },
  };
}

/** POST /users/{id}/retryServiceProvisioning: asks Entra to push the user to Exchange, Teams and the rest again. */
export const retryProvisioning: RemediationAction<RetryProvisioningTarget> = {
  name: 'retry-provisioning',
  aliases: ['retry-service-provisioning', 'retryprovisioning'],
  summary: "Retry a user's service provisioning (Exchange Online, Teams, SharePoint…)",
  description:
    'Retries provisioning of a user to the Microsoft 365 services that reported serviceProvisioningErrors for them.',
  examples: [
    'retry-provisioning alice@contoso.com',
    'retry-provisioning "Alice Smith"',
    'retry-provisioning alice@contoso.com bob@contoso.com',
    'retry-provisioning --group "Sales department"',
  ],
  syntax: {
    positional: [USERS_PARAM],
    flags: [GROUP_FLAG],
    check: usersOrGroup,
  },
  graphVersion: 'v1.0',
  permission: 'User.ReadWrite.All',
  roles: ['User Administrator', 'Global Administrator'],

  async resolve(args, graph) {
    const found = await lookupUser(graph, args, { positional: 'user' });
    if (found.kind !== 'one') return found;
    const { target, confirmation } = confirmFor(found.item);
    if (confirmation.blocked) return { kind: 'resolved', target, confirmation };
    const diagnoses = await diagnoseUserErrors(found.item, graph);
    return {
      kind: 'resolved',
      target,
      confirmation: diagnoses.length > 0 ? { ...confirmation, diagnoses } : confirmation,
    };
  },

  request(target) {
    return {
      method: 'POST',
      url: `/users/${segment(target.user.id)}/retryServiceProvisioning`,
      version: 'v1.0',
    };
  },

  execute(target, graph) {
    return sendRequest(graph, retryProvisioning.request(target));
  },

  describe(target) {
    return { id: target.user.id, label: describeUser(target.user) };
  },

  group: {
    members: (groupId) => ({
      path: `/groups/${segment(groupId)}/members/microsoft.graph.user`,
      select: 'id,displayName,userPrincipalName,serviceProvisioningErrors',
      advanced: true,
      // group-list-members: $top up to 999, so a 100,000-member group takes 101 pages instead of 1,000.
      top: 999,
    }),
    fromUser: confirmFor,
  },

  verify: verifyRetryProvisioning,

  interpret(target) {
    return {
      outcome: 'succeeded',
      summary: `Entra will retry provisioning ${target.user.displayName ?? target.user.id} to the affected services. Errors clear once the services accept the user.`,
      facts: [],
      details: [],
    };
  },
};
