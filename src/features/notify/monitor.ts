import type { Clock, Repeating } from '../../infra/clock';
import type { Leadership } from '../../infra/storage/leadership';
import type { GraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import { errorMessage, type Logger } from '../../infra/logger';
import { DEFAULT_DETECTORS } from '../../domain/actions/registry';
import type { Detector } from '../../domain/failures/detector';
import { fingerprint } from '../../domain/failures/failure';
import type { FailureLedger } from './failure-ledger';
import type { FailureNotifier, NotifyReport, Observed } from './notifier';

/** The provisioning log's watermark name in the ledger. */
export const PROVISIONING_LOG_WATERMARK = 'provisioning-log';

/** What one monitor cycle did. */
export interface CycleReport {
  /** Failures found per kind; `error` when that detector failed (its failures are then left as they were). */
  readonly detected: Readonly<Record<string, number | 'error'>>;
  readonly resolved: number;
  readonly notify: NotifyReport;
}

/** What the monitor needs; the clock makes its interval testable. */
export interface MonitorDeps {
  /** The app-only, read-only Graph client. */
  readonly graph: GraphApi;
  readonly notifier: FailureNotifier;
  readonly ledger: FailureLedger;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly detectors?: readonly Detector[];
  /** With several instances: who may scan; unset means this instance always may. */
  readonly leadership?: Leadership;
}

/**
 * Looks for provisioning failures in the tenant on an interval and hands them to the notifier. A failure
 * that a complete detection no longer finds is resolved, so if it comes back it is posted again. Tests call
 * `runOnce()`; production calls `start()`.
 */
export class FailureMonitor {
  private running: Promise<CycleReport> | undefined;
  private repeating: Repeating | undefined;

  constructor(private readonly deps: MonitorDeps) {}

  /** Runs one cycle now; a call during a running cycle joins it instead of starting another. */
  runOnce(): Promise<CycleReport> {
    this.running ??= this.cycle().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Schedules cycles every `intervalMs`; a cycle still running when the next is due is not doubled. */
  start(intervalMs: number): void {
    if (this.repeating) return;
    this.deps.logger.info({ intervalMs }, 'failure monitor started');
    this.repeating = this.deps.clock.every(intervalMs, () => void this.tick());
  }

  /** One scheduled round: only the instance holding the leadership lease scans the tenant. */
  private async tick(): Promise<void> {
    try {
      if (this.deps.leadership && !(await this.deps.leadership.ensure())) {
        this.deps.logger.debug('another instance runs the failure monitor; skipping this round');
        return;
      }
      await this.runOnce();
    } catch (err) {
      this.deps.logger.error({ err: errorMessage(err) }, 'monitor cycle failed');
    }
  }

  /** Stops the interval and waits for a running cycle to finish. */
  async stop(): Promise<void> {
    this.repeating?.cancel();
    this.repeating = undefined;
    await this.running?.catch(() => undefined);
  }

  private async cycle(): Promise<CycleReport> {
    const { ledger, clock, logger } = this.deps;
    const now = new Date(clock.now());
    await ledger.sweepQuietEvents(now);
    const watermark = await ledger.watermark(PROVISIONING_LOG_WATERMARK);
    const detectors = this.deps.detectors ?? DEFAULT_DETECTORS;
    const outcomes = await Promise.allSettled(
      detectors.map((d) => d.detect({ graph: this.deps.graph, now, watermark })),
    );
    const detected: Record<string, number | 'error'> = {};
    const observed: Observed[] = [];
    const completeStateKinds: string[] = [];
    let nextWatermark: string | undefined;
    outcomes.forEach((outcome, index) => {
      const detector = detectors[index] as Detector;
      if (outcome.status === 'rejected') {
        detected[detector.kind] = 'error';
        const err = outcome.reason as unknown;
        logger.warn(
          err instanceof GraphFailure
            ? {
                kind: detector.kind,
                status: err.status,
                code: err.code,
                requestId: err.requestId,
                err: err.message,
              }
            : { kind: detector.kind, err: errorMessage(err) },
          'failure detection failed; this kind is skipped this cycle',
        );
        return;
      }
      detected[detector.kind] = outcome.value.failures.length;
      for (const failure of outcome.value.failures) observed.push({ failure, nature: detector.nature });
      if (detector.nature === 'state') completeStateKinds.push(detector.kind);
      if (outcome.value.watermark) nextWatermark = outcome.value.watermark;
    });
    const present = new Set(observed.map((o) => fingerprint(o.failure)));
    const resolved = await ledger.resolveAbsent(completeStateKinds, present);
    for (const r of resolved) {
      logger.info(
        { kind: r.failure.kind, objectId: r.failure.objectId, errorCode: r.failure.errorCode },
        'failure resolved',
      );
    }
    const notify = await this.deps.notifier.notify(observed, { source: 'Found by the failure monitor' });
    if (nextWatermark) await ledger.advanceWatermark(PROVISIONING_LOG_WATERMARK, nextWatermark);
    logger.info({ detected, resolved: resolved.length, ...notify }, 'monitor cycle finished');
    return { detected, resolved: resolved.length, notify };
  }
}
