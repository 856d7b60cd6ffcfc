import path from 'node:path';
import type { Config } from '../infra/config';
import { BlobStateStore } from '../infra/storage/blob-state-store';
import { FileStateStore } from '../infra/storage/file-state-store';
import { BlobLeadership, soleInstance, type Leadership } from '../infra/storage/leadership';
import type { StateStore } from '../infra/storage/state-store';

/** Where the bot keeps its state, and whether this instance runs the failure monitor. */
export interface StateWiring {
  readonly store: StateStore;
  /** The monitor's lease: one instance at a time when instances share Blob Storage. */
  readonly leadership: Leadership;
  /** Releases the lease, and closes the store unless the caller passed its own. */
  close(): Promise<void>;
}

/** Opens Blob Storage when STORAGE_CONNECTION_STRING is set, files under DATA_DIR otherwise. */
export async function openState(config: Config, given?: StateStore): Promise<StateWiring> {
  const shared = config.storage.connectionString;
  const store =
    given ??
    (shared
      ? await BlobStateStore.open(shared, config.storage.container)
      : await FileStateStore.open(path.resolve(config.dataDir)));
  const leadership = shared
    ? await BlobLeadership.open(shared, config.storage.container, 'failure-monitor')
    : soleInstance;
  return {
    store,
    leadership,
    close: async () => {
      await leadership.release();
      if (!given) await store.close();
    },
  };
}
