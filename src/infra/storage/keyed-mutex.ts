import { Mutex } from 'async-mutex';

/**
 * One async-mutex per key, so a read-compare-write on one key cannot interleave with itself while other keys
 * go ahead. A key's mutex is dropped once nobody holds or waits for it, so memory follows the keys in use.
 */
export class KeyedMutex {
  private readonly mutexes = new Map<string, Mutex>();

  async runExclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    let mutex = this.mutexes.get(key);
    if (!mutex) {
      mutex = new Mutex();
      this.mutexes.set(key, mutex);
    }
    try {
      return await mutex.runExclusive(work);
    } finally {
      if (!mutex.isLocked() && this.mutexes.get(key) === mutex) this.mutexes.delete(key);
    }
  }

  /** How many keys are held or waited for; the rest have been let go. */
  get size(): number {
    return this.mutexes.size;
  }
}
