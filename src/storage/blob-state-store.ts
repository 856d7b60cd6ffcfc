import { BlobServiceClient, RestError, type ContainerClient } from '@azure/storage-blob';
import { ConcurrencyError, type StateStore, type Versioned } from './state-store';

function blobName(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

function keyOf(name: string): string {
  return decodeURIComponent(name);
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
    try {
      const res = await this.container.getBlockBlobClient(blobName(key)).download();
      const chunks: Buffer[] = [];
      for await (const chunk of res.readableStreamBody ?? []) chunks.push(Buffer.from(chunk as Buffer));
      return { value: JSON.parse(Buffer.concat(chunks).toString('utf8')) as T, eTag: res.etag ?? '' };
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return undefined;
      throw err;
    }
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
      keys.push(keyOf(blob.name));
    return keys.sort();
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
