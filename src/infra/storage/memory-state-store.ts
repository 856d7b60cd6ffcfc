import { randomUUID } from 'node:crypto';
import { ConcurrencyError, type StateStore, type Versioned } from './state-store';

/** In-memory backend for unit tests of the domain: same contract as the file and blob stores. */
export class MemoryStateStore implements StateStore {
  private readonly items = new Map<string, { value: string; eTag: string }>();
  private readonly logEntries = new Map<string, string[]>();

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    const item = this.items.get(key);
    return item ? { value: JSON.parse(item.value) as T, eTag: item.eTag } : undefined;
  }

  async create<T>(key: string, value: T): Promise<string> {
    if (this.items.has(key)) throw new ConcurrencyError(key);
    return this.put(key, value);
  }

  async update<T>(key: string, value: T, eTag: string): Promise<string> {
    if (this.items.get(key)?.eTag !== eTag) throw new ConcurrencyError(key);
    return this.put(key, value);
  }

  async delete(key: string): Promise<void> {
    this.items.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.items.keys()].filter((k) => k.startsWith(prefix)).sort();
  }

  async append<T>(log: string, entry: T): Promise<void> {
    const entries = this.logEntries.get(log) ?? [];
    entries.push(JSON.stringify(entry));
    this.logEntries.set(log, entries);
  }

  async readLog<T>(log: string): Promise<T[]> {
    return (this.logEntries.get(log) ?? []).map((e) => JSON.parse(e) as T);
  }

  async logs(prefix: string): Promise<string[]> {
    return [...this.logEntries.keys()].filter((l) => l.startsWith(prefix)).sort();
  }

  async close(): Promise<void> {}

  private put<T>(key: string, value: T): string {
    const eTag = randomUUID();
    this.items.set(key, { value: JSON.stringify(value), eTag });
    return eTag;
  }
}
