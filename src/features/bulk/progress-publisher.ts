import type { Clock } from '../../infra/clock';

/** Teams limits how often a bot may edit a message; a run's card changes at most this often. */
export const PROGRESS_GAP_MS = 3000;

/**
 * Coalesces a run's progress into in-place card updates at most once every `gapMs`: a change inside the gap
 * is published when the gap ends, with whatever the numbers are by then. The gap is about reading, not
 * about Teams' limits (the send limiter keeps those), so the summary does not wait it out: the admin sees
 * the run's end as soon as it ends.
 */
export class ProgressPublisher {
  private dirty = false;
  private closed = false;
  private loop: Promise<void> | undefined;
  /** The update being sent, if any: the summary waits for it, never for the gap. */
  private sending: Promise<void> | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly publish: () => Promise<void>,
    private readonly gapMs = PROGRESS_GAP_MS,
    /** When the card last changed (e.g. the invoke response that showed it); -Infinity: never. */
    private lastAt = Number.NEGATIVE_INFINITY,
  ) {}

  /** Notes that the numbers changed; the card follows within the gap. */
  changed(): void {
    if (this.closed) return;
    this.dirty = true;
    this.loop ??= this.drain().finally(() => {
      this.loop = undefined;
    });
  }

  /** Publishes `last` as the final update once any update in flight is done, then nothing more. */
  async finish(last: () => Promise<void>): Promise<void> {
    this.closed = true;
    await this.sending;
    this.lastAt = this.clock.now();
    await last();
  }

  /** Stops publishing without a final update (the run moves to another process). */
  async stop(): Promise<void> {
    this.closed = true;
    await this.sending;
  }

  private async drain(): Promise<void> {
    while (this.dirty && !this.closed) {
      const wait = this.lastAt + this.gapMs - this.clock.now();
      if (wait > 0) {
        await this.clock.sleep(wait);
        continue;
      }
      this.dirty = false;
      this.lastAt = this.clock.now();
      this.sending = this.publish();
      try {
        await this.sending;
      } finally {
        this.sending = undefined;
      }
    }
  }
}
