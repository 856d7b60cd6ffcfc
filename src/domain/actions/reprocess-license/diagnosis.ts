import type { LicenseAssignmentState } from '../../../infra/graph/directory-lookup';
import type { GraphApi } from '../../../infra/graph/graph-api';
import { isLicenseInError, licenseErrorOf } from '../../../infra/graph/license-states';
import { segment } from '../../../infra/graph/odata';
import type { Diagnosis, KnowledgeEntry } from '../diagnosis';
import { ADMIN_LINKS, diagnoseSignals, tenantProducts, type SubscribedSku } from '../diagnosis-facts';

const RESOLVE = 'https://learn.microsoft.com/entra/identity/users/licensing-groups-resolve-problems';

/**
 * Group-based licensing errors, as licenseAssignmentState.error names them; the signal's `service` is the
 * SKU id. Causes and fixes follow "Identify and resolve license assignment problems for a group".
 */
export const LICENSE_KNOWLEDGE: readonly KnowledgeEntry[] = [
  {
    id: 'license-count',
    kind: 'license',
    recognise: { code: /^CountViolation$/i },
    cause: 'Not enough licences: every seat of this product is already assigned.',
    retryHelps: false,
    fixFirst:
      'Buy more seats, or remove the product from users or groups that no longer need it; then reprocess.',
    gather: 'sku-seats',
    source: RESOLVE,
    samples: [{ kind: 'license', code: 'CountViolation' }],
  },
  {
    id: 'license-mutually-exclusive',
    kind: 'license',
    recognise: { code: /^MutuallyExclusiveViolation$/i },
    cause:
      'The product holds a service plan that conflicts with a plan the user already has through another product; Entra never resolves such conflicts itself.',
    retryHelps: false,
    fixFirst:
      'Remove the conflicting product from the user, or disable the conflicting plan in one of the two assignments; then reprocess.',
    gather: 'sku-product',
    source: RESOLVE,
    samples: [{ kind: 'license', code: 'MutuallyExclusiveViolation' }],
  },
  {
    id: 'license-dependency',
    kind: 'license',
    recognise: { code: /^DependencyViolation$/i },
    cause:
      'Another product of the user depends on a service plan this assignment provides (or would remove), so Entra cannot change it.',
    retryHelps: false,
    fixFirst:
      'Assign the required plan another way, or disable the dependent plan for the user; then reprocess.',
    gather: 'sku-product',
    source: RESOLVE,
    samples: [{ kind: 'license', code: 'DependencyViolation' }],
  },
  {
    id: 'license-usage-location',
    kind: 'license',
    recognise: { code: /^ProhibitedInUsageLocationViolation$/i },
    cause:
      'The product is not available in the user’s usage location (a user without one takes the tenant’s).',
    retryHelps: false,
    fixFirst:
      'Set the user’s usage location (User › Properties › Usage location) to where they work, if the product is offered there, or remove them from the licensing group; then reprocess.',
    source: RESOLVE,
    samples: [{ kind: 'license', code: 'ProhibitedInUsageLocationViolation' }],
  },
  {
    id: 'license-uniqueness',
    kind: 'license',
    recognise: { code: /^UniquenessViolation$/i },
    cause:
      'A value that must be unique is held twice, usually a proxy address another recipient already uses ("Proxy address is already being used").',
    retryHelps: false,
    fixFirst:
      'Find the recipient with the same proxy address and remove it there (Exchange: Get-Recipient -Filter "EmailAddresses -eq \'…\'"); then reprocess.',
    source: RESOLVE,
    samples: [{ kind: 'license', code: 'UniquenessViolation' }],
  },
];

interface UserLicences {
  readonly displayName?: string | null;
  readonly usageLocation?: string | null;
  readonly licenseAssignmentStates?: readonly LicenseAssignmentState[];
}

/** The errors between two products of the user: the other products and the plans turned off count. */
const PLAN_CONFLICTS = new Set(['license-mutually-exclusive', 'license-dependency']);

/**
 * A conflict between products names the user's other products and the service plans turned off in their
 * assignments, by name from subscribedSkus: Graph does not say which plan conflicts or is missing, but these
 * are where an admin finds it.
 */
function withOtherProducts(d: Diagnosis, user: UserLicences, skus: readonly SubscribedSku[]): Diagnosis {
  if (!d.entry || !PLAN_CONFLICTS.has(d.entry)) return d;
  const byId = new Map(skus.map((s) => [s.skuId?.toLowerCase() ?? '', s]));
  const name = (skuId?: string) => byId.get(skuId?.toLowerCase() ?? '')?.skuPartNumber ?? skuId ?? '?';
  const states = user.licenseAssignmentStates ?? [];
  const others = states.filter((s) => !isLicenseInError(s)).map((s) => name(s.skuId));
  const disabled = states.flatMap((s) => {
    const plans = byId.get(s.skuId?.toLowerCase() ?? '')?.servicePlans ?? [];
    return (s.disabledPlans ?? []).map((id) => {
      const plan = plans.find((p) => p.servicePlanId?.toLowerCase() === id.toLowerCase());
      return `${plan?.servicePlanName ?? id} (in ${name(s.skuId)})`;
    });
  });
  return {
    ...d,
    facts: [
      ...d.facts,
      {
        title: 'Other products of the user',
        value: others.length > 0 ? [...new Set(others)].join(', ') : 'none',
      },
      {
        title: 'Plans turned off for the user',
        value: disabled.length > 0 ? [...new Set(disabled)].join(', ') : 'none',
      },
    ],
  };
}

/**
 * A licence diagnosis with the facts the user's own record gives: the usage location for a usage-location
 * error, the other products and the plans turned off for a conflict between products (named from the
 * tenant's products, when they were read).
 */
export function withUserFacts(
  d: Diagnosis,
  user: UserLicences & { readonly id: string },
  skus: readonly SubscribedSku[] | undefined,
): Diagnosis {
  return withUsageLocation(skus ? withOtherProducts(d, user, skus) : d, user, user.id);
}

/** A usage-location error names the user's usage location and the user to fix; the others stay as they are. */
function withUsageLocation(d: Diagnosis, user: UserLicences, id: string): Diagnosis {
  if (d.entry !== 'license-usage-location') return d;
  return {
    ...d,
    objectToFix: { label: `user ${user.displayName ?? id}`, url: ADMIN_LINKS.user(id) },
    facts: [
      ...d.facts,
      {
        title: 'Usage location',
        value: user.usageLocation || 'not set (the tenant’s country applies)',
      },
    ],
  };
}

/** Diagnoses the licence states in error of a user already read (the look-up), reading only the facts it needs. */
export async function diagnoseUserLicences(
  user: UserLicences & { readonly id: string },
  graph: GraphApi,
  products: () => Promise<SubscribedSku[]> = tenantProducts(graph),
): Promise<Diagnosis[]> {
  const signals = (user.licenseAssignmentStates ?? []).filter(isLicenseInError).map((s) => ({
    kind: 'license',
    ...(s.skuId ? { service: s.skuId } : {}),
    code: licenseErrorOf(s) ?? s.state ?? 'Error',
  }));
  const diagnoses = await diagnoseSignals(graph, LICENSE_KNOWLEDGE, signals, user.id, products);
  const skus = diagnoses.some((d) => d.entry && PLAN_CONFLICTS.has(d.entry))
    ? await products().catch(() => undefined)
    : undefined;
  return diagnoses.map((d) => withUserFacts(d, user, skus));
}

/** Reads the user's licence states with the app's read-only client and diagnoses each one in error. */
export async function diagnoseLicenses(
  target: { readonly user: { readonly id: string } },
  graph: GraphApi,
): Promise<Diagnosis[]> {
  const user = await graph.get<UserLicences>(`/users/${segment(target.user.id)}`, {
    query: { $select: 'id,displayName,usageLocation,licenseAssignmentStates' },
  });
  return diagnoseUserLicences({ ...user, id: target.user.id }, graph);
}
