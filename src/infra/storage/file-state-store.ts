import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { LRUCache } from 'lru-cache';
import { decodeEntries, encodeEntry } from './json-seq';
import { KeyedMutex } from './keyed-mutex';
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

/** Records and logs are readable and writable by the bot's own user only. */
const FILE_MODE = 0o600;

/** Records of recently used keys kept in memory; a remediation is read and rewritten within seconds. */
export const DEFAULT_RECENT_RECORDS = 1024;

/** Tuning for the file store. */
export interface FileStoreOptions {
  /** How many records of recently used keys to keep in memory (default {@link DEFAULT_RECENT_RECORDS}). */
  readonly recentRecords?: number;
}

/** The file's text, or undefined when it does not exist. */
async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** Writes beside the target, then renames over it, so a crash never leaves half a record. */
async function replaceAtomically(file: string, temp: string, text: string): Promise<void> {
  try {
    await fs.writeFile(temp, text, { mode: FILE_MODE });
    await fs.rename(temp, file);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}

/**
 * The embedded default: one JSON file per key under DATA_DIR, written to a temporary file and renamed,
 * so a crash never leaves half a record, and one file per log that entries are appended to. Safe for a
 * single process (several instances need Blob Storage). Every read and write of a file holds that file's
 * mutex, and a listing waits for what was asked before it, so each operation sees every write asked for
 * before it (a click that reads a record whose write is still under way gets the written record); the
 * mutex also makes `create` a check-and-write and `update` a compare-and-set, and lets the records of
 * recently used keys be served from memory, since this process is their only writer.
 */
export class FileStateStore implements StateStore {
  private readonly locks = new KeyedMutex();
  private readonly recent: LRUCache<string, CachedRecord>;
  private readonly underWay = new Set<Promise<unknown>>();
  private closed = false;

  private constructor(
    private readonly dir: string,
    options: FileStoreOptions,
  ) {
    this.recent = new LRUCache({ max: options.recentRecords ?? DEFAULT_RECENT_RECORDS });
  }

  static async open(dir: string, options: FileStoreOptions = {}): Promise<FileStateStore> {
    await fs.mkdir(dir, { recursive: true });
    return new FileStateStore(dir, options);
  }

  get<T>(key: string): Promise<Versioned<T> | undefined> {
    return this.track(() =>
      this.locks.runExclusive(this.fileFor(key), async () => {
        const record = await this.readRecord(key);
        if (!record) return undefined;
        const { value } = JSON.parse(record.text) as FileRecord<T>;
        return { value, eTag: record.eTag };
      }),
    );
  }

  create<T>(key: string, value: T): Promise<string> {
    const file = this.fileFor(key);
    return this.track(() =>
      this.locks.runExclusive(file, async () => {
        if (this.recent.has(key) || (await exists(file))) throw new ConcurrencyError(key);
        return this.writeRecord(key, value);
      }),
    );
  }

  update<T>(key: string, value: T, eTag: string): Promise<string> {
    return this.track(() =>
      this.locks.runExclusive(this.fileFor(key), async () => {
        const current = await this.readRecord(key);
        if (!current || current.eTag !== eTag) throw new ConcurrencyError(key);
        return this.writeRecord(key, value);
      }),
    );
  }

  delete(key: string): Promise<void> {
    const file = this.fileFor(key);
    return this.track(() =>
      this.locks.runExclusive(file, async () => {
        this.recent.delete(key);
        await fs.rm(file, { force: true });
      }),
    );
  }

  list(prefix: string): Promise<string[]> {
    const asked = this.settled();
    return this.track(async () => {
      await asked;
      return this.names('.json', prefix);
    });
  }

  /** Appends one at a time per log, in the order asked, so entries never interleave. */
  append<T>(log: string, entry: T): Promise<void> {
    const file = this.logFileFor(log);
    return this.track(() =>
      this.locks.runExclusive(file, () => fs.appendFile(file, encodeEntry(entry), { mode: FILE_MODE })),
    );
  }

  readLog<T>(log: string): Promise<T[]> {
    const file = this.logFileFor(log);
    return this.track(() =>
      this.locks.runExclusive(file, async () => {
        const text = await readIfExists(file);
        return text === undefined ? [] : decodeEntries<T>(text);
      }),
    );
  }

  logs(prefix: string): Promise<string[]> {
    const asked = this.settled();
    return this.track(async () => {
      await asked;
      return this.names(LOG_SUFFIX, prefix);
    });
  }

  /** Finishes the reads and writes under way; the store refuses any asked for afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
  }

  /** Settles once every operation asked for so far has. */
  private async settled(): Promise<void> {
    await Promise.allSettled([...this.underWay]);
  }

  private track<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new Error('The file store was closed'));
    const running = work();
    this.underWay.add(running);
    const done = () => this.underWay.delete(running);
    running.then(done, done);
    return running;
  }

  private async names(suffix: string, prefix: string): Promise<string[]> {
    const names = await fs.readdir(this.dir);
    return names
      .filter((n) => n.endsWith(suffix))
      .map((n) => decodeURIComponent(n.slice(0, -suffix.length)))
      .filter((n) => n.startsWith(prefix))
      .sort();
  }

  private logFileFor(log: string): string {
    return path.join(this.dir, `${encodeURIComponent(log)}${LOG_SUFFIX}`);
  }

  private fileFor(key: string): string {
    return path.join(this.dir, `${encodeURIComponent(key)}.json`);
  }

  /** The key's record, from memory or its file; called holding the key's mutex. */
  private async readRecord(key: string): Promise<CachedRecord | undefined> {
    const cached = this.recent.get(key);
    if (cached) return cached;
    const text = await readIfExists(this.fileFor(key));
    if (text === undefined) return undefined;
    const { eTag } = JSON.parse(text) as FileRecord<unknown>;
    const record = { eTag, text };
    this.recent.set(key, record);
    return record;
  }

  /** Replaces the key's file with the value under a new eTag, which it resolves; holds the key's mutex. */
  private async writeRecord<T>(key: string, value: T): Promise<string> {
    const eTag = randomUUID();
    const file = this.fileFor(key);
    const text = JSON.stringify({ eTag, value } satisfies FileRecord<T>);
    this.recent.delete(key);
    await replaceAtomically(file, `${file}.${process.pid}.${eTag}.tmp`, text);
    this.recent.set(key, { eTag, text });
    return eTag;
  }
}
