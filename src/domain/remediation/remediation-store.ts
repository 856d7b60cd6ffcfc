import { LRUCache } from 'lru-cache';
import { randomToken } from '../../infra/random-token';
import { ConcurrencyError, mutate, type StateStore } from '../../infra/storage/state-store';
import { isBulkTarget, type BulkItem, type BulkTarget } from './bulk-target';
import type { Remediation, Selection } from './remediation';

/** An unguessable id: cards carry it, so it must not be enumerable. */
export function newOpaqueId(): string {
  return randomToken(16, 'base64url');
}

const OPAQUE_ID = /^[A-Za-z0-9_-]{22}$/;

/** A stored bulk target whose items are kept in a record of their own; `itemsApart` says how many. */
type ApartTarget = Omit<BulkTarget, 'items'> & { readonly items: readonly []; readonly itemsApart: number };

/** Bulk runs whose items a process keeps parsed: they never change, so any instance may keep them. */
const ITEMS_KEPT = 8;

const recordKey = (id: string) => `remediation/${id}`;
const itemsKey = (id: string) => `remediation-items/${id}`;

function isApart(target: unknown): target is ApartTarget {
  return isBulkTarget(target) && typeof (target as Partial<ApartTarget>).itemsApart === 'number';
}

function joined(r: Remediation, items: readonly BulkItem[]): Remediation {
  if (!isApart(r.target)) return r;
  const { itemsApart, ...target } = r.target;
  return { ...r, target: { ...target, items } satisfies BulkTarget };
}

function apart(r: Remediation): Remediation {
  if (!isBulkTarget(r.target) || isApart(r.target)) return r;
  const target: ApartTarget = { ...r.target, items: [], itemsApart: r.target.items.length };
  return { ...r, target };
}

/**
 * Remediations and pick lists, stored through the StateStore with optimistic concurrency. A bulk run's targets
 * (1.5 MB at 5,000) are written once, beside its record, when it is created: they never change, so approving,
 * starting and finishing the run rewrite a small record, and each process reads them once.
 */
export class RemediationStore {
  private readonly items = new LRUCache<string, readonly BulkItem[]>({ max: ITEMS_KEPT });

  constructor(private readonly store: StateStore) {}

  static isOpaqueId(value: unknown): value is string {
    return typeof value === 'string' && OPAQUE_ID.test(value);
  }

  async create(r: Remediation): Promise<void> {
    if (isBulkTarget(r.target)) {
      // The items first: a record is never stored without them.
      await this.store.create(itemsKey(r.id), r.target.items);
      this.items.set(r.id, r.target.items);
    }
    await this.store.create(recordKey(r.id), apart(r));
  }

  async get(id: string): Promise<Remediation | undefined> {
    if (!RemediationStore.isOpaqueId(id)) return undefined;
    const stored = (await this.store.get<Remediation>(recordKey(id)))?.value;
    return stored && joined(stored, await this.itemsOf(stored));
  }

  /**
   * Applies a pure transition; `changed` is false when the transition did not apply to the stored state. A bulk
   * run's items are the ones it was created with, whatever the transition returns.
   */
  async update(
    id: string,
    change: (r: Remediation) => Remediation | undefined,
  ): Promise<{ value: Remediation; changed: boolean } | undefined> {
    let items: readonly BulkItem[] = [];
    const result = await mutate<Remediation>(this.store, recordKey(id), async (current) => {
      items = await this.itemsOf(current);
      const next = change(joined(current, items));
      return next && (isApart(current.target) ? apart(next) : next);
    });
    return result && { ...result, value: joined(result.value, items) };
  }

  private async itemsOf(r: Remediation): Promise<readonly BulkItem[]> {
    if (!isApart(r.target)) return [];
    const kept = this.items.get(r.id);
    if (kept) return kept;
    const items = (await this.store.get<readonly BulkItem[]>(itemsKey(r.id)))?.value;
    if (!items) throw new Error(`The targets of bulk remediation ${r.id} are missing from the store`);
    this.items.set(r.id, items);
    return items;
  }

  /** Marks a remediation as running in Graph; the marker outlives a crash so a restart can reconcile it. */
  async markRunning(id: string): Promise<void> {
    try {
      await this.store.create(`running/${id}`, { id });
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }

  async clearRunning(id: string): Promise<void> {
    await this.store.delete(`running/${id}`);
  }

  /** Ids of remediations some process started and has not finished (or not lived to finish). */
  async listRunning(): Promise<string[]> {
    return (await this.store.list('running/')).map((k) => k.slice('running/'.length));
  }

  async createSelection(s: Selection): Promise<void> {
    await this.store.create(`selection/${s.id}`, s);
  }

  async getSelection(id: string): Promise<Selection | undefined> {
    if (!RemediationStore.isOpaqueId(id)) return undefined;
    return (await this.store.get<Selection>(`selection/${id}`))?.value;
  }

  updateSelection(id: string, change: (s: Selection) => Selection | undefined) {
    return mutate<Selection>(this.store, `selection/${id}`, change);
  }
}
