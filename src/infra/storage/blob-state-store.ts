import { BlobServiceClient, RestError, type BlobClient, type ContainerClient } from '@azure/storage-blob';
import { decodeEntries, encodeEntry } from './json-seq';
import { ConcurrencyError, type StateStore, type Versioned } from './state-store';

function blobName(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

function keyOf(name: string): string {
  return decodeURIComponent(name);
}

/** Where logs live: `$` is escaped in every key's blob name, so no key's blob can fall under this folder. */
const LOG_ROOT = '$log/';

function logBlobName(log: string): string {
  return `${LOG_ROOT}${blobName(log)}`;
}

async function downloadText(blob: BlobClient): Promise<{ text: string; eTag: string } | undefined> {
  try {
    const res = await blob.download();
    const chunks: Buffer[] = [];
    for await (const chunk of res.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
    return { text: Buffer.concat(chunks).toString('utf8'), eTag: res.etag ?? '' };
  } catch (err) {
    if (err instanceof RestError && err.statusCode === 404) return undefined;
    throw err;
  }
}

function isConflict(err: unknown): boolean {
  return (
    err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412 || err.statusCode === 404)
  );
}

/**
 * The shared store for several bot instances: one JSON blob per key in Azure Blob Storage, written with
 * If-None-Match / If-Match on the blob's ETag, so a create or an update that lost a race is refused by
 * the service itself rather than by any one process.
 */
export class BlobStateStore implements StateStore {
  private constructor(private readonly container: ContainerClient) {}

  static async open(connectionString: string, containerName: string): Promise<BlobStateStore> {
    const container =
      BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName);
    await container.createIfNotExists();
    return new BlobStateStore(container);
  }

  async get<T>(key: string): Promise<Versioned<T> | undefined> {
    const item = await downloadText(this.container.getBlockBlobClient(blobName(key)));
    return item && { value: JSON.parse(item.text) as T, eTag: item.eTag };
  }

  async create<T>(key: string, value: T): Promise<string> {
    return this.put(key, value, { ifNoneMatch: '*' });
  }

  async update<T>(key: string, value: T, eTag: string): Promise<string> {
    return this.put(key, value, { ifMatch: eTag });
  }

  async delete(key: string): Promise<void> {
    await this.container.getBlockBlobClient(blobName(key)).deleteIfExists();
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix: blobName(prefix) }))
      if (!blob.name.startsWith(LOG_ROOT)) keys.push(keyOf(blob.name));
    return keys.sort();
  }

  /**
   * One Append Blob per log: each entry is one block, which the service adds atomically, so instances can
   * append to the same log at once. An Append Blob takes at most 50,000 blocks; callers split logs by time.
   */
  async append<T>(log: string, entry: T): Promise<void> {
    const blob = this.container.getAppendBlobClient(logBlobName(log));
    const body = encodeEntry(entry);
    try {
      await blob.appendBlock(body, Buffer.byteLength(body));
    } catch (err) {
      if (!(err instanceof RestError && err.statusCode === 404)) throw err;
      await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: 'application/json-seq' } });
      await blob.appendBlock(body, Buffer.byteLength(body));
    }
  }

  async readLog<T>(log: string): Promise<T[]> {
    const item = await downloadText(this.container.getAppendBlobClient(logBlobName(log)));
    return item ? decodeEntries<T>(item.text) : [];
  }

  async logs(prefix: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix: logBlobName(prefix) }))
      names.push(keyOf(blob.name.slice(LOG_ROOT.length)));
    return names.sort();
  }

  /** The Blob client holds no connection that outlives a request. */
  async close(): Promise<void> {}

  private async put<T>(
    key: string,
    value: T,
    conditions: { ifMatch?: string; ifNoneMatch?: string },
  ): Promise<string> {
    const body = JSON.stringify(value);
    try {
      const res = await this.container
        .getBlockBlobClient(blobName(key))
        .upload(body, Buffer.byteLength(body), {
          conditions,
          blobHTTPHeaders: { blobContentType: 'application/json' },
        });
      return res.etag ?? '';
    } catch (err) {
      if (isConflict(err)) throw new ConcurrencyError(key);
      throw err;
    }
  }
}
