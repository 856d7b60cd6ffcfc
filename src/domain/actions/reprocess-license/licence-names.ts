import type { LicenseAssignmentState } from '../../../infra/graph/directory-lookup';
import type { GraphApi } from '../../../infra/graph/graph-api';
import { GraphFailure } from '../../../infra/graph/graph-failure';
import type { LicenceNames } from '../../../infra/graph/license-states';
import { segment } from '../../../infra/graph/odata';
import type { SubscribedSku } from '../diagnosis-facts';

/** The value a read gives, or undefined when Graph refuses it: a name is a courtesy, the id still says it. */
async function optional<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof GraphFailure) return undefined;
    throw err;
  }
}

/** The tenant's products by skuId, from the caller's shared read; none when Graph refuses it. */
export async function productNames(
  tenantSkus: () => Promise<SubscribedSku[]>,
): Promise<{ readonly products: Map<string, string>; readonly skus: SubscribedSku[] | undefined }> {
  const skus = await optional(tenantSkus());
  const products = new Map<string, string>();
  for (const s of skus ?? []) if (s.skuId && s.skuPartNumber) products.set(s.skuId, s.skuPartNumber);
  return { products, skus };
}

/**
 * Names of the products and groups the states mention, by id, read at once (the tenant's products from the
 * caller's shared read); a read Graph refuses leaves the ids, since a name is a courtesy and the id still says it.
 */
export async function licenceNames(
  graph: GraphApi,
  states: readonly LicenseAssignmentState[],
  tenantSkus: () => Promise<SubscribedSku[]>,
): Promise<LicenceNames & { readonly skus: SubscribedSku[] | undefined }> {
  const groupIds = [...new Set(states.map((s) => s.assignedByGroup).filter((g): g is string => !!g))];
  const [{ products, skus }, groups] = await Promise.all([
    productNames(tenantSkus),
    Promise.all(
      groupIds.map((id) =>
        optional(
          graph.get<{ id: string; displayName?: string }>(`/groups/${segment(id)}`, {
            query: { $select: 'id,displayName' },
          }),
        ),
      ),
    ),
  ]);
  const groupNames = new Map<string, string>();
  groupIds.forEach((id, i) => {
    const name = groups[i]?.displayName;
    if (name) groupNames.set(id, name);
  });
  return { products, groups: groupNames, skus };
}
