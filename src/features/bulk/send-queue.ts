/**
 * The items of a bulk run still to send (by position in the run), in the order they go: items put back after an
 * answer that ran nothing first, then the rest in order. An item Graph asked to wait for (a per-item Retry-After)
 * is held until then and rejoins at the front, so it leaves in a full batch with the others.
 */
export class SendQueue {
  private again: number[] = [];
  private fresh: number[];
  private held: Array<{ readonly at: number; readonly until: number }> = [];

  constructor(positions: readonly number[]) {
    this.fresh = [...positions];
  }

  /** Ready again at once (nothing ran: a 429 while the run's gate holds, a 401, a batch not sent after all). */
  putBack(positions: readonly number[]): void {
    this.again.push(...positions);
  }

  /** Held until `until` (epoch ms), then ready again. */
  hold(at: number, until: number): void {
    this.held.push({ at, until });
  }

  /** Makes the held items whose time has come ready, earliest first. */
  release(now: number): void {
    const due = this.held.filter((h) => h.until <= now).sort((a, b) => a.until - b.until || a.at - b.at);
    if (due.length === 0) return;
    this.held = this.held.filter((h) => h.until > now);
    this.again.push(...due.map((h) => h.at));
  }

  /** When the next held item is due; undefined when none is held. */
  nextRelease(): number | undefined {
    return this.held.reduce<number | undefined>((min, h) => Math.min(min ?? h.until, h.until), undefined);
  }

  /**
   * Takes the next batch: the first ready item and up to `max - 1` more ready items of the same `group` (one
   * Graph version, one rate-limit key), put-back items first. Items of other groups keep their place.
   */
  take(max: number, group: (at: number) => string): number[] {
    const first = this.again[0] ?? this.fresh[0];
    if (first === undefined) return [];
    const key = group(first);
    const taken = new Set<number>();
    for (const list of [this.again, this.fresh]) {
      for (const at of list) {
        if (taken.size >= max) break;
        if (group(at) === key) taken.add(at);
      }
    }
    this.again = this.again.filter((at) => !taken.has(at));
    this.fresh = this.fresh.filter((at) => !taken.has(at));
    return [...taken];
  }
}
