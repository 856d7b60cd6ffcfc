import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FileIo } from './file-io';
import { decodeEntries, encodeEntry } from './json-seq';
import { KeyLock } from './key-lock';
import { ConcurrencyError, type StateStore, type Versioned } from './state-store';

interface FileRecord<T> {
  eTag: string;
  value: T;
}

/** The record as last written or read, kept as text so every reader gets its own copy. */
interface CachedRecord {
  readonly eTag: string;
  readonly text: string;
}

/** A log's file beside the records' `.json` files: `<encoded name>.json-seq` (RFC 7464). */
const LOG_SUFFIX = '.json-seq';

/** Records of recently used keys kept in memory; a remediation is read and rewritten within seconds. */
export const DEFAULT_RECENT_RECORDS = 1024;

/** Tuning and test seams for the file store. */
export interface FileStoreOptions {
  /** How many records of recently used keys to keep in memory (default {@link DEFAULT_RECENT_RECORDS}). */
  readonly recentRecords?: number;
  /** Reads a record file (undefined when missing); tests slow it down to race reads against writes. */
  readonly readText?: (file: string) => Promise<string | undefined>;
}

/**
 * The embedded default: one JSON file per key under DATA_DIR, written to a temporary file and renamed,
 * so a crash never leaves half a record, and one file per log that entries are appended to. Safe for a
 * single process (several instances need Blob Storage), which is also why the records of recently used
 * keys can be served from memory: this process is their only writer, so a read-modify-write costs one
 * file write instead of two reads and a write.
 * Disk access runs on one I/O thread ({@link FileIo}), which also makes `create` a single check-and-write.
 */
export class FileStateStore implements StateStore {
  private readonly lock = new KeyLock();
  private readonly recent = new Map<string, CachedRecord>();
  /** Bumped by every write: a file read that overlapped one may be stale and is not remembered. */
  private writes = 0;

  private readonly capacity: number;
  private readonly io = new FileIo();
  private readonly readText: (file: string) => Promise<string | undefined>;

  private constructor(
    private readonly dir: string,
    options: FileStoreOptions,
  ) {
    this.capacity = options.recentRecords ?? DEFAULT_RECENT_RECORDS;
    this.readText = options.readText ?? ((file) => this.io.read(file));
  }

  static async open(dir: string, options: FileStoreOptions = {}): Promise<FileStateStore> {
    await fs.mkdir(dir, { recursive: true });
    return new FileStateStore(dir, options);
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    const record = await this.readRecord(key);
    if (!record) return undefined;
    const { value } = JSON.parse(record.text) as FileRecord<T>;
    return { value, eTag: record.eTag };
  }

  create<T>(key: string, value: T): Promise<string> {
    return this.lock.run(key, async () => {
      if (this.recent.has(key)) throw new ConcurrencyError(key);
      return this.writeRecord(key, value, 'create');
    });
  }

  update<T>(key: string, value: T, eTag: string): Promise<string> {
    return this.lock.run(key, async () => {
      const current = await this.readRecord(key);
      if (!current || current.eTag !== eTag) throw new ConcurrencyError(key);
      return this.writeRecord(key, value, 'replace');
    });
  }

  delete(key: string): Promise<void> {
    return this.lock.run(key, async () => {
      this.writes++;
      this.recent.delete(key);
      await this.io.remove(this.fileFor(key));
    });
  }

  async list(prefix: string): Promise<string[]> {
    const names = await this.io.list(this.dir);
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => decodeURIComponent(n.slice(0, -'.json'.length)))
      .filter((k) => k.startsWith(prefix))
      .sort();
  }

  append<T>(log: string, entry: T): Promise<void> {
    return this.io.append(this.logFileFor(log), encodeEntry(entry));
  }

  async readLog<T>(log: string): Promise<T[]> {
    const text = await this.io.read(this.logFileFor(log));
    return text === undefined ? [] : decodeEntries<T>(text);
  }

  async logs(prefix: string): Promise<string[]> {
    const names = await this.io.list(this.dir);
    return names
      .filter((n) => n.endsWith(LOG_SUFFIX))
      .map((n) => decodeURIComponent(n.slice(0, -LOG_SUFFIX.length)))
      .filter((l) => l.startsWith(prefix))
      .sort();
  }

  private logFileFor(log: string): string {
    return path.join(this.dir, `${encodeURIComponent(log)}${LOG_SUFFIX}`);
  }

  private fileFor(key: string): string {
    return path.join(this.dir, `${encodeURIComponent(key)}.json`);
  }

  private remember(key: string, record: CachedRecord): void {
    this.recent.delete(key);
    this.recent.set(key, record);
    if (this.recent.size > this.capacity) {
      const oldest = this.recent.keys().next().value;
      if (oldest !== undefined) this.recent.delete(oldest);
    }
  }

  private async readRecord(key: string): Promise<CachedRecord | undefined> {
    const cached = this.recent.get(key);
    if (cached) {
      this.remember(key, cached);
      return cached;
    }
    const writesBefore = this.writes;
    const text = await this.readText(this.fileFor(key));
    if (text === undefined) return undefined;
    const { eTag } = JSON.parse(text) as FileRecord<unknown>;
    const record = { eTag, text };
    if (this.writes === writesBefore && !this.recent.has(key)) this.remember(key, record);
    return record;
  }

  /** Resolves the new eTag; a `create` that finds the file already there throws ConcurrencyError. */
  private async writeRecord<T>(key: string, value: T, mode: 'create' | 'replace'): Promise<string> {
    const eTag = randomUUID();
    const target = this.fileFor(key);
    const temp = `${target}.${process.pid}.${eTag}.tmp`;
    const text = JSON.stringify({ eTag, value } satisfies FileRecord<T>);
    this.writes++;
    this.recent.delete(key);
    if (mode === 'create') {
      if (!(await this.io.create(target, temp, text))) throw new ConcurrencyError(key);
    } else {
      await this.io.write(target, temp, text);
    }
    this.writes++;
    this.remember(key, { eTag, text });
    return eTag;
  }

  /** Stops the I/O thread; the store is not used afterwards. */
  close(): Promise<void> {
    return this.io.close();
  }
}
