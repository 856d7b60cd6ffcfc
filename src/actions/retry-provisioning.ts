import type { DirectoryUser, ServiceProvisioningError } from '../graph/directory-lookup';
import { segment } from '../graph/odata';
import type { RemediationAction } from './action';
import { USER_PARAM } from './choose-one';
import { lookupUser, userFacts } from './resolve-user';

/** What is kept between confirmation and execution. */
export interface RetryProvisioningTarget {
  readonly user: Pick<DirectoryUser, 'id' | 'displayName' | 'userPrincipalName'>;
  readonly unresolvedErrors: number;
}

/** Shortens the XML error detail Graph returns into one readable line. */
export function summariseErrorDetail(detail: string | undefined): string {
  if (!detail) return 'no detail';
  const text = detail
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text || 'no detail';
}

function describeError(e: ServiceProvisioningError): string {
  const when = e.createdDateTime ? ` since ${e.createdDateTime}` : '';
  return `${e.serviceInstance ?? 'Unknown service'}${when}: ${summariseErrorDetail(e.errorDetail)}`;
}

/** POST /users/{id}/retryServiceProvisioning: asks Entra to push the user to Exchange, Teams and the rest again. */
export const retryProvisioning: RemediationAction<RetryProvisioningTarget> = {
  name: 'retry-provisioning',
  aliases: ['retry-service-provisioning', 'retryprovisioning'],
  summary: "Retry a user's service provisioning (Exchange Online, Teams, SharePoint…)",
  description:
    'Retries provisioning of a user to the Microsoft 365 services that reported serviceProvisioningErrors for them.',
  examples: ['retry-provisioning alice@contoso.com', 'retry-provisioning "Alice Smith"'],
  syntax: {
    positional: [USER_PARAM],
    flags: [],
  },
  graphVersion: 'v1.0',
  permission: 'User.ReadWrite.All',
  roles: ['User Administrator', 'Global Administrator'],

  async resolve(args, graph) {
    const found = await lookupUser(graph, args, { positional: 'user' });
    if (found.kind !== 'one') return found;
    const user = found.item;
    const open = (user.serviceProvisioningErrors ?? []).filter((e) => e.isResolved !== true);
    const target: RetryProvisioningTarget = {
      user: { id: user.id, displayName: user.displayName, userPrincipalName: user.userPrincipalName },
      unresolvedErrors: open.length,
    };
    return {
      kind: 'resolved',
      target,
      confirmation: {
        title: `Retry service provisioning for ${user.displayName ?? user.id}`,
        why:
          open.length > 0
            ? `${open.length} unresolved service provisioning error${open.length === 1 ? '' : 's'} on record.`
            : 'No unresolved service provisioning errors are on record.',
        facts: userFacts(user),
        problems: open.map(describeError),
        ...(open.length === 0
          ? {
              blocked: `${user.displayName ?? 'This user'} has no unresolved service provisioning errors, so there is nothing to retry.`,
            }
          : {}),
      },
    };
  },

  execute(target, graph) {
    return graph.post(`/users/${segment(target.user.id)}/retryServiceProvisioning`, undefined, {
      version: 'v1.0',
    });
  },

  interpret(target) {
    return {
      outcome: 'succeeded',
      summary: `Entra will retry provisioning ${target.user.displayName ?? target.user.id} to the affected services. Errors clear once the services accept the user.`,
      facts: [],
      details: [],
    };
  },
};
