import type { GraphApi } from '../../../infra/graph/graph-api';
import { segment } from '../../../infra/graph/odata';
import { describeErrorDetail, errorRecords } from '../../../infra/graph/provisioning-error-detail';
import type { Diagnosis, FailureSignal, KnowledgeEntry } from '../diagnosis';
import { diagnoseSignals } from '../diagnosis-facts';

const RESILIENCY =
  'https://learn.microsoft.com/entra/identity/hybrid/connect/how-to-connect-syncservice-duplicate-attribute-resiliency';
const PROVISIONING_ERRORS =
  'https://learn.microsoft.com/graph/api/resources/serviceprovisioningxmlerror?view=graph-rest-1.0';

/**
 * Service provisioning failures the bot recognises. The signal's `service` is the serviceInstance's workload
 * (`exchange/namprd11-001-01` → `exchange`), `code` the ErrorRecord's ErrorCode and `text` its
 * ErrorDescription, as provisioning-error-detail.ts reads them from the errorDetail XML.
 */
export const USER_PROVISIONING_KNOWLEDGE: readonly KnowledgeEntry[] = [
  {
    id: 'exchange-address-conflict',
    kind: 'user-provisioning',
    recognise: {
      service: /^exchange/i,
      text: /(proxy ?address|EmailAddresses|WindowsEmailAddress|PrimarySmtpAddress|MicrosoftOnlineServicesID|WindowsLiveID)\b.*(already (being )?used|used by another)/i,
    },
    cause:
      'Another object in the tenant already holds this address. An address (proxy address, mail or sign-in name) must be unique, so Exchange refuses the mailbox until the holder lets go of it.',
    retryHelps: false,
    fixFirst:
      'Remove the address from the object that holds it, or give this user another address; then retry.',
    gather: 'address-holder',
    source: RESILIENCY,
    samples: [
      {
        kind: 'user-provisioning',
        service: 'exchange',
        code: 'ExDuplicateProxyAddress',
        text: 'The proxy address SMTP:alice@contoso.com is already used by another recipient.',
      },
      {
        kind: 'user-provisioning',
        service: 'exchange',
        text: 'The value "smtp:alice@contoso.com" of property "EmailAddresses" is used by another recipient object. Please specify a unique value.',
      },
      {
        kind: 'user-provisioning',
        service: 'exchange',
        text: 'Proxy address "SMTP:alice@contoso.com" is already being used by the proxy addresses or LegacyExchangeDN. Please choose another proxy address.',
      },
    ],
  },
  {
    id: 'sharepoint-identity-conflict',
    kind: 'user-provisioning',
    recognise: {
      service: /^sharepoint/i,
      text: /(user ?principal ?name|UPN|login name|e-?mail|address)\b.*(already (exists|in use|being used|used)|conflict|duplicate)/i,
    },
    cause:
      'SharePoint already knows another account with this user’s sign-in name or mail (often a deleted and re-created user), so it cannot create this one.',
    retryHelps: false,
    fixFirst:
      'Find the object that holds the name or address and remove it from it (or restore the old account), then retry.',
    gather: 'address-holder',
    source: RESILIENCY,
    samples: [
      {
        kind: 'user-provisioning',
        service: 'sharepoint',
        text: 'The user principal name alice@contoso.com already exists for another user in the user profile service.',
      },
    ],
  },
  {
    id: 'provisioning-transient',
    kind: 'user-provisioning',
    recognise: { text: /(time ?out|timed out|temporar|transient|try again later|service unavailable)/i },
    cause: 'The service reported a temporary failure.',
    retryHelps: true,
    fixFirst: 'Nothing to fix first: retry.',
    source: PROVISIONING_ERRORS,
    samples: [
      {
        kind: 'user-provisioning',
        service: 'teams',
        text: 'The operation timed out. Try again later.',
      },
    ],
  },
];

interface UserErrors {
  readonly serviceProvisioningErrors?: readonly {
    readonly serviceInstance?: string | null;
    readonly errorDetail?: string | null;
    readonly isResolved?: boolean | null;
  }[];
}

/** One signal per ErrorRecord of each unresolved error (or one for an error whose detail is not XML). */
function signalsOf(user: UserErrors): FailureSignal[] {
  return (user.serviceProvisioningErrors ?? [])
    .filter((e) => e.isResolved !== true)
    .flatMap((e) => {
      const service = (e.serviceInstance ?? '').split('/')[0] ?? '';
      const records = errorRecords(e.errorDetail);
      return records.length > 0
        ? records.map((r) => ({ kind: 'user-provisioning', service, code: r.code, text: r.description }))
        : [{ kind: 'user-provisioning', service, text: describeErrorDetail(e.errorDetail) }];
    });
}

/** Diagnoses the unresolved errors of a user already read (the look-up), reading only the facts it needs. */
export function diagnoseUserErrors(user: UserErrors & { readonly id: string }, graph: GraphApi) {
  return diagnoseSignals(graph, USER_PROVISIONING_KNOWLEDGE, signalsOf(user), user.id);
}

/** Reads the user's unresolved errors with the app's read-only client and diagnoses each. */
export async function diagnoseUserProvisioning(
  target: { readonly user: { readonly id: string } },
  graph: GraphApi,
): Promise<Diagnosis[]> {
  const user = await graph.get<UserErrors>(`/users/${segment(target.user.id)}`, {
    query: { $select: 'id,serviceProvisioningErrors' },
  });
  return diagnoseUserErrors({ ...user, id: target.user.id }, graph);
}
