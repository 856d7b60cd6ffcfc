import { createHash } from 'node:crypto';
import { baseConversationId, type ConversationAddress } from '../../domain/conversation';
import type { Clock } from '../../infra/clock';
import { ConcurrencyError, type StateStore } from '../../infra/storage/state-store';
import { FAILURE_KINDS, type FailureKind } from '../../domain/actions/registry';

/** Where the bot is installed, kept in the state store so proactive messages survive a redeploy. */
export interface ConversationReference {
  /** The conversation without a thread suffix: a channel, a group chat or a personal chat. */
  readonly conversationId: string;
  readonly address: ConversationAddress;
  readonly conversationType: string | undefined;
  readonly teamId: string | undefined;
  readonly installedAt: string;
  readonly updatedAt: string;
  /** Set while Teams refuses posts here (a user blocked the bot, an admin disabled it). */
  readonly paused?: PauseState | undefined;
  /** Set while the team or channel is deleted; a restore clears it (see RETIRED_KEEP_MS). */
  readonly retiredAt?: string | undefined;
}

/** Why and until when nothing is posted to a conversation. */
export interface PauseState {
  /** Teams' error code, e.g. ConversationBlockedByUser. */
  readonly code: string;
  readonly since: string;
  /** No send before this; the first one after it tries again. */
  readonly until: string;
  /** Refusals in a row, for the back-off. */
  readonly refusals: number;
}

/**
 * How long a deleted team's or channel's records are kept for a restore: Teams restores a deleted channel,
 * and Microsoft 365 a deleted team's group, within 30 days.
 */
export const RETIRED_KEEP_MS = 30 * 24 * 60 * 60 * 1000;

/** The failure kinds a conversation asked to hear about. */
export interface Subscription {
  readonly conversationId: string;
  readonly address: ConversationAddress;
  readonly teamId: string | undefined;
  readonly kinds: readonly FailureKind[];
  readonly subscribedBy: string;
  readonly updatedAt: string;
  /** Set while the team or channel is deleted, like its reference's. */
  readonly retiredAt?: string | undefined;
}

const REFERENCE_PREFIX = 'notify/conversation/';
const SUBSCRIPTION_PREFIX = 'notify/subscription/';

/** Conversation ids can be long; a hash keeps store keys short and file-name safe. */
function keyOf(conversationId: string): string {
  return createHash('sha256').update(baseConversationId(conversationId)).digest('hex').slice(0, 40);
}

/** The address proactive sends use: the conversation itself, not a thread inside it. */
export function conversationAddress(address: ConversationAddress): ConversationAddress {
  return { ...address, conversationId: baseConversationId(address.conversationId) };
}

/**
 * Creates or replaces an item with optimistic concurrency; `change` sees the current value (or undefined)
 * and returns the next one, or undefined to leave it alone.
 */
export async function upsert<T>(
  store: StateStore,
  key: string,
  change: (current: T | undefined) => T | undefined,
  attempts = 5,
): Promise<T | undefined> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await store.get<T>(key);
    const next = change(current?.value);
    if (next === undefined) return current?.value;
    try {
      if (current) await store.update(key, next, current.eTag);
      else await store.create(key, next);
      return next;
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  throw new ConcurrencyError(key);
}

/**
 * Conversation references (installations) and subscriptions. References come from install events and from
 * any subscription. Both are forgotten on uninstall, a team's hard deletion, or when Teams says the bot is not
 * in the conversation or it no longer exists; a deleted team or channel is retired (hidden) until it is
 * restored; a conversation where Teams refuses posts for now is paused, keeping its subscription.
 */
export class ConversationDirectory {
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {}

  /** Records (or refreshes: serviceUrl can change over time) where the bot is installed. */
  async remember(address: ConversationAddress): Promise<ConversationReference> {
    const now = new Date(this.clock.now()).toISOString();
    const normalised = conversationAddress(address);
    const saved = await upsert<ConversationReference>(
      this.store,
      REFERENCE_PREFIX + keyOf(normalised.conversationId),
      (current) => ({
        conversationId: normalised.conversationId,
        address: normalised,
        conversationType: normalised.conversationType,
        teamId: normalised.teamId ?? current?.teamId,
        installedAt: current?.installedAt ?? now,
        updatedAt: now,
      }),
    );
    if (!saved) throw new Error('The conversation reference could not be saved');
    return saved;
  }

  async reference(conversationId: string): Promise<ConversationReference | undefined> {
    const ref = (await this.store.get<ConversationReference>(REFERENCE_PREFIX + keyOf(conversationId)))
      ?.value;
    return ref?.retiredAt ? undefined : ref;
  }

  /** Every stored installation. */
  async references(): Promise<ConversationReference[]> {
    return (await this.loadAll<ConversationReference>(REFERENCE_PREFIX)).filter((r) => !r.retiredAt);
  }

  /**
   * Marks a conversation paused (remembering it if it was not) until `until`; a refusal while paused counts
   * one more in a row. Resolves the new state.
   */
  async pause(address: ConversationAddress, code: string, backoffMs: (refusals: number) => number) {
    const normalised = conversationAddress(address);
    const now = new Date(this.clock.now());
    const saved = await upsert<ConversationReference>(
      this.store,
      REFERENCE_PREFIX + keyOf(normalised.conversationId),
      (current) => {
        const refusals = (current?.paused?.refusals ?? 0) + 1;
        return {
          conversationId: normalised.conversationId,
          address: current?.address ?? normalised,
          conversationType: current?.conversationType ?? normalised.conversationType,
          teamId: current?.teamId ?? normalised.teamId,
          installedAt: current?.installedAt ?? now.toISOString(),
          updatedAt: now.toISOString(),
          paused: {
            code,
            since: current?.paused?.since ?? now.toISOString(),
            until: new Date(now.getTime() + backoffMs(refusals)).toISOString(),
            refusals,
          },
          ...(current?.retiredAt ? { retiredAt: current.retiredAt } : {}),
        };
      },
    );
    if (!saved?.paused) throw new Error('The conversation could not be marked paused');
    return saved.paused;
  }

  /** Clears a pause; resolves the pause that was cleared, or undefined when there was none. */
  async resume(conversationId: string): Promise<PauseState | undefined> {
    const key = REFERENCE_PREFIX + keyOf(conversationId);
    const current = (await this.store.get<ConversationReference>(key))?.value;
    if (!current?.paused) return undefined;
    await upsert<ConversationReference>(this.store, key, (ref) => {
      if (!ref?.paused) return undefined;
      return { ...ref, paused: undefined, updatedAt: new Date(this.clock.now()).toISOString() };
    });
    return current.paused;
  }

  /** Hides a deleted channel (or chat) and its subscription until it is restored. */
  async retire(conversationId: string): Promise<number> {
    return this.setRetired([baseConversationId(conversationId)], new Date(this.clock.now()).toISOString());
  }

  /** Hides every conversation of a deleted team until the team is restored. */
  async retireTeam(teamId: string): Promise<number> {
    return this.setRetired(await this.idsOfTeam(teamId), new Date(this.clock.now()).toISOString());
  }

  /** Brings back a restored channel; resolves how many records came back. */
  async revive(conversationId: string): Promise<number> {
    return this.setRetired([baseConversationId(conversationId)], undefined);
  }

  /** Brings back every conversation of a restored (or unarchived) team. */
  async reviveTeam(teamId: string): Promise<number> {
    return this.setRetired(await this.idsOfTeam(teamId), undefined);
  }

  /** Forgets one conversation: its reference and its subscription. */
  async forget(conversationId: string): Promise<void> {
    await this.store.delete(REFERENCE_PREFIX + keyOf(conversationId));
    await this.store.delete(SUBSCRIPTION_PREFIX + keyOf(conversationId));
  }

  /** Forgets every conversation of a team (the bot was removed from it, or the team was deleted). */
  async forgetTeam(teamId: string): Promise<number> {
    const ids = await this.idsOfTeam(teamId);
    for (const id of ids) await this.forget(id);
    return ids.length;
  }

  /** The team's own conversation and every stored channel of it, retired ones included. */
  private async idsOfTeam(teamId: string): Promise<string[]> {
    const ids = new Set<string>([baseConversationId(teamId)]);
    for (const r of await this.loadAll<ConversationReference>(REFERENCE_PREFIX)) {
      if (r.teamId === teamId) ids.add(r.conversationId);
    }
    for (const s of await this.loadAll<Subscription>(SUBSCRIPTION_PREFIX)) {
      if (s.teamId === teamId) ids.add(s.conversationId);
    }
    return [...ids];
  }

  /** Sets or clears `retiredAt` on the records of these conversations; resolves how many changed. */
  private async setRetired(conversationIds: readonly string[], at: string | undefined): Promise<number> {
    let changed = 0;
    const mark = <T extends { retiredAt?: string | undefined }>(current: T | undefined): T | undefined => {
      if (!current || (at === undefined) === (current.retiredAt === undefined)) return undefined;
      changed++;
      return { ...current, retiredAt: at };
    };
    for (const id of conversationIds) {
      await upsert<ConversationReference>(this.store, REFERENCE_PREFIX + keyOf(id), mark);
      await upsert<Subscription>(this.store, SUBSCRIPTION_PREFIX + keyOf(id), mark);
    }
    return changed;
  }

  /** Adds kinds to a conversation's subscription (and remembers the conversation). */
  async subscribe(
    address: ConversationAddress,
    kinds: readonly FailureKind[],
    by: string,
  ): Promise<Subscription> {
    const normalised = conversationAddress(address);
    await this.remember(normalised);
    const now = new Date(this.clock.now()).toISOString();
    const saved = await upsert<Subscription>(
      this.store,
      SUBSCRIPTION_PREFIX + keyOf(normalised.conversationId),
      (current) => ({
        conversationId: normalised.conversationId,
        address: normalised,
        teamId: normalised.teamId ?? current?.teamId,
        kinds: sortKinds(new Set([...(current?.kinds ?? []), ...kinds])),
        subscribedBy: by,
        updatedAt: now,
      }),
    );
    if (!saved) throw new Error('The subscription could not be saved');
    return saved;
  }

  /** Removes some kinds, or all of them when `kinds` is undefined; resolves the kinds that remain. */
  async unsubscribe(conversationId: string, kinds?: readonly FailureKind[]): Promise<readonly FailureKind[]> {
    const key = SUBSCRIPTION_PREFIX + keyOf(conversationId);
    const current = await this.store.get<Subscription>(key);
    if (!current) return [];
    const remaining = kinds ? current.value.kinds.filter((k) => !kinds.includes(k)) : [];
    if (remaining.length === 0) {
      await this.store.delete(key);
      return [];
    }
    const saved = await upsert<Subscription>(this.store, key, (s) =>
      s
        ? {
            ...s,
            kinds: s.kinds.filter((k) => !kinds?.includes(k)),
            updatedAt: new Date(this.clock.now()).toISOString(),
          }
        : undefined,
    );
    return saved?.kinds ?? [];
  }

  async subscription(conversationId: string): Promise<Subscription | undefined> {
    const sub = (await this.store.get<Subscription>(SUBSCRIPTION_PREFIX + keyOf(conversationId)))?.value;
    return sub?.retiredAt ? undefined : sub;
  }

  /** Every subscription, each with the freshest address known for its conversation. */
  async subscriptions(): Promise<Subscription[]> {
    return (await this.loadAll<Subscription>(SUBSCRIPTION_PREFIX)).filter((s) => !s.retiredAt);
  }

  /** The freshest address for a conversation: its installation reference, else its subscription's. */
  async addressFor(conversationId: string): Promise<ConversationAddress | undefined> {
    return (
      (await this.reference(conversationId))?.address ?? (await this.subscription(conversationId))?.address
    );
  }

  /** Every record under `prefix`; a record retired longer than RETIRED_KEEP_MS is deleted instead. */
  private async loadAll<T extends { retiredAt?: string | undefined }>(prefix: string): Promise<T[]> {
    const out: T[] = [];
    const expired = this.clock.now() - RETIRED_KEEP_MS;
    for (const key of await this.store.list(prefix)) {
      const item = await this.store.get<T>(key);
      if (!item) continue;
      if (item.value.retiredAt && Date.parse(item.value.retiredAt) < expired) await this.store.delete(key);
      else out.push(item.value);
    }
    return out;
  }
}

function sortKinds(kinds: Set<FailureKind>): FailureKind[] {
  return FAILURE_KINDS.filter((k) => kinds.has(k));
}
