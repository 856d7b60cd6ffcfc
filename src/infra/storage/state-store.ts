/** A stored value with the version tag that guards the next update. */
export interface Versioned<T> {
  readonly value: T;
  readonly eTag: string;
}

/** Thrown when a conditional write loses a race: someone else changed (or created) the item first. */
export class ConcurrencyError extends Error {
  constructor(readonly key: string) {
    super(`The stored item "${key}" was changed by someone else`);
    this.name = 'ConcurrencyError';
  }
}

/**
 * Keyed JSON state with optimistic concurrency, the contract every backend (file, Azure Blob) meets.
 * Conditional writes are what make approvals run exactly once, even with several instances.
 */
export interface StateStore {
  get<T>(key: string): Promise<Versioned<T> | undefined>;
  /** Writes only if the key does not exist yet; resolves the new eTag. */
  create<T>(key: string, value: T): Promise<string>;
  /** Writes only if the stored eTag still equals `eTag`; resolves the new eTag. */
  update<T>(key: string, value: T, eTag: string): Promise<string>;
  delete(key: string): Promise<void>;
  /** Keys that start with `prefix`, in ascending order; how subscriptions and runs are enumerated. */
  list(prefix: string): Promise<string[]>;
  /**
   * Adds an entry at the end of an append-only log (made on first use). Logs are a namespace of their own,
   * apart from keys: entries are never rewritten, so appends never contend and cost each backend its
   * cheapest write (a line added to a file, a block added to an Append Blob) instead of a new item.
   */
  append<T>(log: string, entry: T): Promise<void>;
  /** A log's entries in the order they were appended; none for a log that does not exist. */
  readLog<T>(log: string): Promise<T[]>;
  /** Names of the logs that start with `prefix`, in ascending order. */
  logs(prefix: string): Promise<string[]>;
  /** Lets the backend finish what is under way and release what it holds; called once, by whoever opened it. */
  close(): Promise<void>;
}

/**
 * Read-modify-write with retry on lost races; `change` returns undefined to leave the item as it is.
 * Callers keep their transitions pure so a retry sees the winner's state; a change may read what it needs
 * beside the item (asynchronously) before it answers.
 */
export async function mutate<T>(
  store: StateStore,
  key: string,
  change: (current: T) => T | undefined | Promise<T | undefined>,
  attempts = 5,
): Promise<{ value: T; changed: boolean } | undefined> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const current = await store.get<T>(key);
    if (!current) return undefined;
    const next = await change(current.value);
    if (next === undefined) return { value: current.value, changed: false };
    try {
      await store.update(key, next, current.eTag);
      return { value: next, changed: true };
    } catch (err) {
      if (!(err instanceof ConcurrencyError)) throw err;
    }
  }
  throw new ConcurrencyError(key);
}
