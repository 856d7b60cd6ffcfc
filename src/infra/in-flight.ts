/**
 * Work a handler started and did not wait for (a remediation after its invoke returned, a notification after
 * its 202, bookkeeping after a turn's answer), kept so shutdown can wait for it instead of cutting it off.
 * A tracked promise's rejection stays the caller's to handle; here it only counts as finished.
 */
export class InFlight {
  private readonly pending = new Set<Promise<void>>();

  track(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(settled);
    void settled.finally(() => this.pending.delete(settled));
  }

  /** Resolves once everything tracked, including work tracked while waiting, has finished. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
