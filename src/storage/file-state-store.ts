import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { KeyLock } from './key-lock';
import { ConcurrencyError, type StateStore, type Versioned } from './state-store';

interface FileRecord<T> {
  eTag: string;
  value: T;
}

/**
 * The embedded default: one JSON file per key under DATA_DIR, written to a temporary file and renamed,
 * so a crash never leaves half a record. Safe for a single process; several instances need Blob Storage.
 */
export class FileStateStore implements StateStore {
  private readonly lock = new KeyLock();

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<FileStateStore> {
    await fs.mkdir(dir, { recursive: true });
    return new FileStateStore(dir);
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    const record = await this.readRecord<T>(key);
    return record ? { value: record.value, eTag: record.eTag } : undefined;
  }

  create<T>(key: string, value: T): Promise<string> {
    return this.lock.run(key, async () => {
      if (await this.readRecord(key)) throw new ConcurrencyError(key);
      return this.writeRecord(key, value);
    });
  }

  update<T>(key: string, value: T, eTag: string): Promise<string> {
    return this.lock.run(key, async () => {
      const current = await this.readRecord(key);
      if (!current || current.eTag !== eTag) throw new ConcurrencyError(key);
      return this.writeRecord(key, value);
    });
  }

  delete(key: string): Promise<void> {
    return this.lock.run(key, () => fs.rm(this.fileFor(key), { force: true }));
  }

  async list(prefix: string): Promise<string[]> {
    const names = await fs.readdir(this.dir);
    return names
      .filter((n) => n.endsWith('.json'))
      .map((n) => decodeURIComponent(n.slice(0, -'.json'.length)))
      .filter((k) => k.startsWith(prefix))
      .sort();
  }

  private fileFor(key: string): string {
    return path.join(this.dir, `${encodeURIComponent(key)}.json`);
  }

  private async readRecord<T>(key: string): Promise<FileRecord<T> | undefined> {
    try {
      return JSON.parse(await fs.readFile(this.fileFor(key), 'utf8')) as FileRecord<T>;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  private async writeRecord<T>(key: string, value: T): Promise<string> {
    const eTag = randomUUID();
    const target = this.fileFor(key);
    const temp = `${target}.${process.pid}.${eTag}.tmp`;
    await fs.writeFile(temp, JSON.stringify({ eTag, value } satisfies FileRecord<T>), { mode: 0o600 });
    await fs.rename(temp, target);
    return eTag;
  }
}
