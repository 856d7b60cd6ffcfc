import { createHash } from 'node:crypto';
import { baseConversationId, type ConversationAddress } from '../chat/chat-types';
import type { Clock } from '../clock';
import { ConcurrencyError, type StateStore } from '../storage/state-store';
import { FAILURE_KINDS, type FailureKind } from './failure';

/** Where the bot is installed, kept in the state store so proactive messages survive a redeploy. */
export interface ConversationReference {
  /** The conversation without a thread suffix: a channel, a group chat or a personal chat. */
  readonly conversationId: string;
  readonly address: ConversationAddress;
  readonly conversationType: string | undefined;
  readonly teamId: string | undefined;
  readonly installedAt: string;
  readonly updatedAt: string;
}

/** The failure kinds a conversation asked to hear about. */
export interface Subscription {
  readonly conversationId: string;
  readonly address: ConversationAddress;
  readonly teamId: string | undefined;
  readonly kinds: readonly FailureKind[];
  readonly subscribedBy: string;
  readonly updatedAt: string;
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
 * any subscription; both are forgotten on uninstall, team deletion, or when Teams answers 403/404.
 */
export class ConversationDirectory {
  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {}

  /** Records (or refreshes: serviceUrl can change over time) where the bot is installed. */
  async remember(address: ConversationAddress): Promise<ConversationReference> {
    const now = this.clock.now().toISOString();
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
    return (await this.store.get<ConversationReference>(REFERENCE_PREFIX + keyOf(conversationId)))?.value;
  }

  /** Every stored installation. */
  async references(): Promise<ConversationReference[]> {
    return this.loadAll<ConversationReference>(REFERENCE_PREFIX);
  }

  /** Forgets one conversation: its reference and its subscription. */
  async forget(conversationId: string): Promise<void> {
    await this.store.delete(REFERENCE_PREFIX + keyOf(conversationId));
    await this.store.delete(SUBSCRIPTION_PREFIX + keyOf(conversationId));
  }

  /** Forgets every conversation of a team (the bot was removed from it, or the team was deleted). */
  async forgetTeam(teamId: string): Promise<number> {
    const ids = new Set<string>([baseConversationId(teamId)]);
    for (const r of await this.references()) if (r.teamId === teamId) ids.add(r.conversationId);
    for (const s of await this.subscriptions()) if (s.teamId === teamId) ids.add(s.conversationId);
    for (const id of ids) await this.forget(id);
    return ids.size;
  }

  /** Adds kinds to a conversation's subscription (and remembers the conversation). */
  async subscribe(
    address: ConversationAddress,
    kinds: readonly FailureKind[],
    by: string,
  ): Promise<Subscription> {
    const normalised = conversationAddress(address);
    await this.remember(normalised);
    const now = this.clock.now().toISOString();
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
            updatedAt: this.clock.now().toISOString(),
          }
        : undefined,
    );
    return saved?.kinds ?? [];
  }

  async subscription(conversationId: string): Promise<Subscription | undefined> {
    return (await this.store.get<Subscription>(SUBSCRIPTION_PREFIX + keyOf(conversationId)))?.value;
  }

  /** Every subscription, each with the freshest address known for its conversation. */
  async subscriptions(): Promise<Subscription[]> {
    return this.loadAll<Subscription>(SUBSCRIPTION_PREFIX);
  }

  /** The freshest address for a conversation: its installation reference, else its subscription's. */
  async addressFor(conversationId: string): Promise<ConversationAddress | undefined> {
    return (
      (await this.reference(conversationId))?.address ?? (await this.subscription(conversationId))?.address
    );
  }

  private async loadAll<T>(prefix: string): Promise<T[]> {
    const out: T[] = [];
    for (const key of await this.store.list(prefix)) {
      const item = await this.store.get<T>(key);
      if (item) out.push(item.value);
    }
    return out;
  }
}

function sortKinds(kinds: Set<FailureKind>): FailureKind[] {
  return FAILURE_KINDS.filter((k) => kinds.has(k));
}
