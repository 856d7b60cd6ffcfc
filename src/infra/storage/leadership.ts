import {
  BlobServiceClient,
  RestError,
  type BlobLeaseClient,
  type ContainerClient,
} from '@azure/storage-blob';

/**
 * "Only one instance at a time" for singleton work such as the failure monitor. `ensure` is called before
 * each round of that work and answers whether this instance may do it.
 */
export interface Leadership {
  ensure(): Promise<boolean>;
  release(): Promise<void>;
}

/** A single process leads by definition (file storage, one instance). */
export const soleInstance: Leadership = { ensure: async () => true, release: async () => undefined };

/**
 * Leadership through an Azure blob lease. The holder renews while it lives; if it dies the lease lapses
 * after `durationSec` and the next instance to ask takes over, so failover takes at most one lease period.
 */
export class BlobLeadership implements Leadership {
  private lease: BlobLeaseClient | undefined;
  private renewing: NodeJS.Timeout | undefined;

  private constructor(
    private readonly container: ContainerClient,
    private readonly blobName: string,
    private readonly durationSec: number,
  ) {}

  static async open(connectionString: string, containerName: string, name: string, durationSec = 30) {
    const container =
      BlobServiceClient.fromConnectionString(connectionString).getContainerClient(containerName);
    await container.createIfNotExists();
    const blob = container.getBlockBlobClient(`locks/${name}`);
    try {
      await blob.upload('', 0, { conditions: { ifNoneMatch: '*' } });
    } catch (err) {
      if (!(err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412))) throw err;
    }
    return new BlobLeadership(container, `locks/${name}`, durationSec);
  }

  async ensure(): Promise<boolean> {
    if (this.lease) {
      try {
        await this.lease.renewLease();
        return true;
      } catch {
        this.stopRenewing();
        this.lease = undefined;
      }
    }
    const candidate = this.container.getBlockBlobClient(this.blobName).getBlobLeaseClient();
    try {
      await candidate.acquireLease(this.durationSec);
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 409) return false;
      throw err;
    }
    this.lease = candidate;
    this.renewing = setInterval(
      () => {
        this.lease?.renewLease().catch(() => {
          this.stopRenewing();
          this.lease = undefined;
        });
      },
      (this.durationSec * 1000) / 3,
    );
    this.renewing.unref();
    return true;
  }

  async release(): Promise<void> {
    this.stopRenewing();
    const lease = this.lease;
    this.lease = undefined;
    await lease?.releaseLease().catch(() => undefined);
  }

  /** Stops renewing without releasing, as a crashed holder would; for failover tests and shutdown. */
  abandon(): void {
    this.stopRenewing();
    this.lease = undefined;
  }

  private stopRenewing(): void {
    if (this.renewing) clearInterval(this.renewing);
    this.renewing = undefined;
  }
}
