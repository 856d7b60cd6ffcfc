import type { GraphApi } from '../../infra/graph/graph-api';
import { toGraphFailure } from '../../infra/graph/graph-failure';
import { odataString } from '../../infra/graph/odata';
import {
  adviceOf,
  recognise,
  UNKNOWN_FAILURE,
  type Diagnosis,
  type FailureSignal,
  type KnowledgeEntry,
  type ObjectToFix,
} from './diagnosis';

const ENTRA = 'https://entra.microsoft.com/#view';

/** Where an admin opens each kind of directory object; org contacts are managed in Exchange. */
export const ADMIN_LINKS = {
  user: (id: string) => `${ENTRA}/Microsoft_AAD_UsersAndTenants/UserProfileMenuBlade/~/overview/userId/${id}`,
  group: (id: string) => `${ENTRA}/Microsoft_AAD_IAM/GroupDetailsMenuBlade/~/Overview/groupId/${id}`,
  contact: () => 'https://admin.exchange.microsoft.com/#/contacts',
} as const;

/** Entra admin center › Billing › Licenses › All products. */
const PRODUCTS_LINK = `${ENTRA}/Microsoft_AAD_IAM/LicensesMenuBlade/~/Products`;

const ADDRESS = /[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;

interface Holder {
  readonly id: string;
  readonly displayName?: string | null;
  readonly userPrincipalName?: string | null;
  readonly mail?: string | null;
}

const COLLECTIONS = [
  { kind: 'user', path: '/users', select: 'id,displayName,userPrincipalName,mail' },
  { kind: 'group', path: '/groups', select: 'id,displayName,mail' },
  { kind: 'contact', path: '/contacts', select: 'id,displayName,mail' },
] as const;

/**
 * The user, group or org contact that holds an address, found with `proxyAddresses/any(p:p eq 'smtp:…')`
 * (the user, group and orgContact pages: proxyAddresses "Supports $filter (eq, not, ge, le, startsWith)";
 * `eq` needs no advanced query). Comparison is case-insensitive, so `smtp:` also finds a primary `SMTP:`.
 * The three collections are asked at once, so the search costs one round trip; a user wins over a group,
 * a group over a contact.
 */
async function addressHolder(
  graph: GraphApi,
  address: string,
  selfId: string,
): Promise<{ kind: keyof typeof ADMIN_LINKS; holder: Holder } | undefined> {
  const filter = `proxyAddresses/any(p:p eq ${odataString(`smtp:${address}`)})`;
  const found = await Promise.all(
    COLLECTIONS.map((c) =>
      graph.list<Holder>(c.path, { query: { $filter: filter, $select: c.select }, maxItems: 5 }),
    ),
  );
  for (const [i, c] of COLLECTIONS.entries()) {
    const other = found[i]?.find((h) => h.id.toLowerCase() !== selfId.toLowerCase());
    if (other) return { kind: c.kind, holder: other };
  }
  return undefined;
}

async function holderFacts(
  graph: GraphApi,
  advice: Diagnosis,
  signal: FailureSignal,
  selfId: string,
): Promise<Diagnosis> {
  const address = ADDRESS.exec(signal.text ?? '')?.[0];
  if (!address) return advice;
  const found = await addressHolder(graph, address, selfId);
  if (!found) {
    // The error stays on record until the next retry, so once the holder has let go a retry is what helps.
    return {
      ...advice,
      retryHelps: true,
      fixFirst: `No other user, group or contact in Entra holds ${address} now, so a retry can help. If the same error comes back, the holder is an Exchange-only recipient (Get-Recipient -Filter "EmailAddresses -eq '${address}'") or a deleted user in the recycle bin.`,
      facts: [{ title: `Holder of ${address}`, value: 'none in Entra users, groups or contacts' }],
    };
  }
  const { kind, holder } = found;
  const name = holder.displayName ?? holder.id;
  const extra = holder.userPrincipalName ?? holder.mail;
  const objectToFix: ObjectToFix = {
    label: `${kind} ${name}${extra ? ` (${extra})` : ''}`,
    url: ADMIN_LINKS[kind](holder.id),
  };
  return {
    ...advice,
    objectToFix,
    facts: [{ title: `Holder of ${address}`, value: `${objectToFix.label} · ${holder.id}` }],
  };
}

/** A product of the tenant as GET /subscribedSkus lists it. */
export interface SubscribedSku {
  readonly skuId?: string;
  readonly skuPartNumber?: string;
  readonly consumedUnits?: number;
  readonly prepaidUnits?: { readonly enabled?: number } | null;
  readonly servicePlans?: readonly { readonly servicePlanId?: string; readonly servicePlanName?: string }[];
}

/** The tenant's products, read once however often a diagnosis asks. */
export function tenantProducts(graph: GraphApi): () => Promise<SubscribedSku[]> {
  let skus: Promise<SubscribedSku[]> | undefined;
  return () => (skus ??= graph.list<SubscribedSku>('/subscribedSkus'));
}

/** The product a licence error is about, by its part number (the name admins and Graph use). */
async function productFacts(reads: Reads, advice: Diagnosis, signal: FailureSignal): Promise<Diagnosis> {
  const skuId = signal.service?.toLowerCase();
  if (!skuId) return advice;
  const sku = (await reads.subscribedSkus()).find((s) => s.skuId?.toLowerCase() === skuId);
  const product = sku?.skuPartNumber ?? skuId;
  return {
    ...advice,
    objectToFix: { label: `product ${product}`, url: PRODUCTS_LINK },
    facts: [{ title: 'Product', value: product }],
  };
}

/**
 * The product's consumed and enabled seats from GET /subscribedSkus ("Query filter expressions aren't
 * supported", subscribedSku page: the list is read whole; a tenant has a few dozen). When seats are free
 * again, the retry can help now.
 */
async function seatFacts(reads: Reads, advice: Diagnosis, signal: FailureSignal): Promise<Diagnosis> {
  const skuId = signal.service?.toLowerCase();
  if (!skuId) return advice;
  const skus = await reads.subscribedSkus();
  const sku = skus.find((s) => s.skuId?.toLowerCase() === skuId);
  if (!sku) return advice;
  const product = sku.skuPartNumber ?? skuId;
  const consumed = sku.consumedUnits ?? 0;
  const enabled = sku.prepaidUnits?.enabled ?? 0;
  const free = enabled - consumed;
  return {
    ...advice,
    ...(free > 0
      ? {
          retryHelps: true,
          fixFirst: `${free} seat${free === 1 ? ' is' : 's are'} free again: reprocessing can assign the licence now.`,
        }
      : {}),
    objectToFix: { label: `product ${product}`, url: PRODUCTS_LINK },
    facts: [{ title: `Seats of ${product}`, value: `${consumed} assigned of ${enabled} enabled` }],
  };
}

/**
 * The entry's advice with the facts its Graph reads find for this target, read with the app's read-only
 * client. A read that fails leaves the advice as it is and says which read failed, with Graph's request-id.
 */
async function gatherFacts(reads: Reads, entry: KnowledgeEntry, signal: FailureSignal): Promise<Diagnosis> {
  const advice = adviceOf(entry);
  try {
    switch (entry.gather) {
      case 'address-holder':
        return await holderFacts(reads.graph, advice, signal, reads.selfId);
      case 'sku-seats':
        return await seatFacts(reads, advice, signal);
      case 'sku-product':
        return await productFacts(reads, advice, signal);
      default:
        return advice;
    }
  } catch (err) {
    const f = toGraphFailure(err);
    return {
      ...advice,
      facts: [
        {
          title: 'Facts not read',
          value: `Microsoft Graph answered ${f.status || 'nothing'} (${f.code})${f.requestId ? `, request-id ${f.requestId}` : ''}.`,
        },
      ],
    };
  }
}

/** Signals the table treats alike (same entry, same service; every unknown one) share this key and one diagnosis. */
export function diagnosisKey(entry: KnowledgeEntry | undefined, signal: FailureSignal): string {
  return entry ? `${entry.id}\u0000${signal.service ?? ''}` : '';
}

/** The reads one diagnosis shares: the tenant's products are read once however many licences failed. */
interface Reads {
  readonly graph: GraphApi;
  readonly selfId: string;
  subscribedSkus(): Promise<SubscribedSku[]>;
}

/**
 * What the table says of each failure signal of one target, facts read where an entry gathers them; one
 * diagnosis per diagnosisKey (and one "unknown"), in the order the keys first came. The facts of different entries
 * are read at once.
 */
export async function diagnoseSignals(
  graph: GraphApi,
  entries: readonly KnowledgeEntry[],
  signals: readonly FailureSignal[],
  selfId: string,
  products: () => Promise<SubscribedSku[]> = tenantProducts(graph),
): Promise<Diagnosis[]> {
  const seen = new Set<string>();
  const firsts: { entry: KnowledgeEntry | undefined; signal: FailureSignal }[] = [];
  for (const signal of signals) {
    const entry = recognise(entries, signal);
    const key = diagnosisKey(entry, signal);
    if (seen.has(key)) continue;
    seen.add(key);
    firsts.push({ entry, signal });
  }
  const reads: Reads = { graph, selfId, subscribedSkus: products };
  return Promise.all(
    firsts.map(({ entry, signal }) =>
      entry ? gatherFacts(reads, entry, signal) : Promise.resolve(UNKNOWN_FAILURE),
    ),
  );
}
