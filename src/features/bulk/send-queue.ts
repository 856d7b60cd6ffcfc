/**
 * The items of a bulk run still to send (by position in the run), in the order they go: items put back after an
 * answer that ran nothing first, then the rest in order. An item Graph asked to wait for (a per-item Retry-After)
 * is held until then and rejoins at the front, so it leaves in a full batch with the others.
 */
export class SendQueue {
  private again: number[] = [];
  /** The run's items in order; those before `head`, and the ones in `takenAhead`, have been taken. */
  private readonly fresh: readonly number[];
  private head = 0;
  /** Indexes into `fresh` past `head` taken by a batch of one group while another group's items wait before them. */
  private readonly takenAhead = new Set<number>();
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
   * Graph version, one rate-limit key), put-back items first. Items of other groups keep their place. The run's
   * items are walked from where the last batch left them, never copied, so a 5,000-item run costs each batch
   * its own items only.
   */
  take(max: number, group: (at: number) => string): number[] {
    const first = this.again[0] ?? this.fresh[this.head];
    if (first === undefined) return [];
    const key = group(first);
    const taken: number[] = [];
    const fromAgain = new Set<number>();
    for (const at of this.again) {
      if (taken.length >= max) break;
      if (group(at) === key && !fromAgain.has(at)) {
        fromAgain.add(at);
        taken.push(at);
      }
    }
    if (fromAgain.size > 0) this.again = this.again.filter((at) => !fromAgain.has(at));
    for (let i = this.head; i < this.fresh.length && taken.length < max; i++) {
      const at = this.fresh[i] as number;
      if (!this.takenAhead.has(i) && group(at) === key) {
        this.takenAhead.add(i);
        taken.push(at);
      }
    }
    while (this.takenAhead.delete(this.head)) this.head++;
    return taken;
  }
}
