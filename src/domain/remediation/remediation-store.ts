import { randomToken } from '../../infra/random-token';
import { ConcurrencyError, mutate, type StateStore } from '../../infra/storage/state-store';
import type { Remediation, Selection } from './remediation';

/** An unguessable id: cards carry it, so it must not be enumerable. */
export function newOpaqueId(): string {
  return randomToken(16, 'base64url');
}

const OPAQUE_ID = /^[A-Za-z0-9_-]{22}$/;

/** Remediations and pick lists, stored through the StateStore with optimistic concurrency. */
export class RemediationStore {
  constructor(private readonly store: StateStore) {}

  static isOpaqueId(value: unknown): value is string {
    return typeof value === 'string' && OPAQUE_ID.test(value);
  }

  async create(r: Remediation): Promise<void> {
    await this.store.create(`remediation/${r.id}`, r);
  }

  async get(id: string): Promise<Remediation | undefined> {
    if (!RemediationStore.isOpaqueId(id)) return undefined;
    return (await this.store.get<Remediation>(`remediation/${id}`))?.value;
  }

  /** Applies a pure transition; `changed` is false when the transition did not apply to the stored state. */
  update(id: string, change: (r: Remediation) => Remediation | undefined) {
    return mutate<Remediation>(this.store, `remediation/${id}`, change);
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
