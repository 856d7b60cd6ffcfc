import type { Clock, Repeating } from '../../infra/clock';
import type { Leadership } from '../../infra/storage/leadership';
import type { PagingGraphApi } from '../../infra/graph/graph-api';
import { GraphFailure } from '../../infra/graph/graph-failure';
import { errorMessage, type Logger } from '../../infra/logger';
import { DEFAULT_DETECTORS } from '../../domain/actions/registry';
import type { Detection, Detector, ScanProgress } from '../../domain/failures/detector';
import { fingerprint } from '../../domain/failures/failure';
import type { FailureLedger, FailureRecord, ScanState } from './failure-ledger';
import type { FailureNotifier, NotifyReport, Observed } from './notifier';

/** The provisioning log's watermark name in the ledger. */
export const PROVISIONING_LOG_WATERMARK = 'provisioning-log';

/** Pages each detector may read in one cycle, unless the monitor is told otherwise. */
export const DEFAULT_PAGE_BUDGET = 200;

/** What one monitor cycle did. */
export interface CycleReport {
  /** Failures found per kind; `error` when that detector failed (its failures are then left as they were). */
  readonly detected: Readonly<Record<string, number | 'error'>>;
  readonly resolved: number;
  readonly notify: NotifyReport;
  /** Kinds whose pass or delta round did not finish this cycle, and how far it has got. */
  readonly behind: Readonly<Record<string, ScanProgress>>;
}

/** What the monitor needs; the clock makes its interval testable. */
export interface MonitorDeps {
  /** The app-only, read-only Graph client. */
  readonly graph: PagingGraphApi;
  readonly notifier: FailureNotifier;
  readonly ledger: FailureLedger;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly detectors?: readonly Detector[];
  /** With several instances: who may scan; unset means this instance always may. */
  readonly leadership?: Leadership;
  /** Pages each detector may read per cycle (default {@link DEFAULT_PAGE_BUDGET}); the rest waits a cycle. */
  readonly pageBudget?: number;
}

/** One detector's outcome this cycle, and the scan state it leaves. */
interface Settled {
  readonly detector: Detector;
  readonly detection: Detection;
  readonly state: ScanState | undefined;
  /** The kind's open state failures as the cycle began. */
  readonly open: readonly FailureRecord[];
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
    const swept = await ledger.sweep(now);
    if (swept.notices > 0)
      logger.info({ notices: swept.notices }, 'forgot the notices of alerts closed long ago');
    const watermark = await ledger.watermark(PROVISIONING_LOG_WATERMARK);
    const detectors = this.deps.detectors ?? DEFAULT_DETECTORS;
    const pageBudget = this.deps.pageBudget ?? DEFAULT_PAGE_BUDGET;
    const outcomes = await Promise.allSettled(
      detectors.map(async (d): Promise<Settled> => {
        const state = await ledger.scanState(d.kind);
        const open = d.nature === 'state' ? await ledger.openStates(d.kind) : [];
        const detection = await d.detect({
          graph: this.deps.graph,
          now,
          watermark,
          position: state?.position,
          pageBudget,
          logger: logger.child({ detector: d.kind }),
          openObjectIds: new Set(open.map((r) => r.failure.objectId.toLowerCase())),
        });
        return { detector: d, detection, state, open };
      }),
    );
    const detected: Record<string, number | 'error'> = {};
    const behind: Record<string, ScanProgress> = {};
    const observed: Observed[] = [];
    const completeStateKinds: string[] = [];
    const settled: Settled[] = [];
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
      const { detection } = outcome.value;
      settled.push(outcome.value);
      detected[detector.kind] = detection.failures.length;
      for (const failure of detection.failures) observed.push({ failure, nature: detector.nature });
      if (detector.nature === 'state' && !detection.partial) completeStateKinds.push(detector.kind);
      if (detection.partial?.behind) behind[detector.kind] = detection.partial.behind;
      if (detection.watermark) nextWatermark = detection.watermark;
    });
    const present = new Set(observed.map((o) => fingerprint(o.failure)));
    const resolved = await ledger.resolveAbsent(completeStateKinds, present);
    const states = new Map<string, ScanState>();
    for (const s of settled) {
      if (!s.detection.partial) continue;
      const merged = await this.mergePartial(s, present, now);
      resolved.push(...merged.resolved);
      observed.push(...merged.carried);
      states.set(s.detector.kind, merged.state);
    }
    for (const r of resolved) {
      logger.info(
        { kind: r.failure.kind, objectId: r.failure.objectId, errorCode: r.failure.errorCode },
        'failure resolved',
      );
    }
    const notify = await this.deps.notifier.notify(observed, { source: 'Found by the failure monitor' });
    // Positions move only once what they found was handed on: a cycle that fails reads those pages again.
    for (const [kind, state] of states) await ledger.saveScanState(kind, state);
    if (nextWatermark) await ledger.advanceWatermark(PROVISIONING_LOG_WATERMARK, nextWatermark);
    for (const [kind, b] of Object.entries(behind)) {
      logger.warn(
        { kind, passStartedAt: b.startedAt, pagesRead: b.pages, itemsRead: b.items, pageBudget },
        'scan stopped at its page budget; it goes on from there next cycle',
      );
    }
    logger.info({ detected, resolved: resolved.length, behind, ...notify }, 'monitor cycle finished');
    return { detected, resolved: resolved.length, notify, behind };
  }

  /**
   * Folds an incremental detection into the ledger: the objects it read have exactly the failures it found;
   * a full pass that ended resolves what it never found; the open failures it did not read again are carried
   * on, so a new subscriber still gets them and a send that failed is tried again.
   */
  private async mergePartial(
    { detector, detection, state, open }: Settled,
    present: ReadonlySet<string>,
    now: Date,
  ): Promise<{ resolved: FailureRecord[]; carried: Observed[]; state: ScanState }> {
    const partial = detection.partial;
    const found = detection.failures.map((f) => fingerprint(f));
    // A pass that began before this state was kept has no list, and resolves nothing when it ends.
    const tracking = partial?.passStarted === true || state?.passSeen !== undefined;
    let passSeen = tracking
      ? [...(partial?.passStarted ? [] : (state?.passSeen ?? [])), ...found]
      : undefined;
    const read = new Set((partial?.objectIds ?? []).map((id) => id.toLowerCase()));
    const seen = partial?.passComplete && passSeen ? new Set(passSeen) : undefined;
    if (partial?.passComplete) passSeen = undefined;
    const gone = (r: FailureRecord) =>
      !present.has(r.fingerprint) &&
      (read.has(r.failure.objectId.toLowerCase()) || (seen !== undefined && !seen.has(r.fingerprint)));
    const states = detector.nature === 'state' ? open : [];
    const resolved = states.filter(gone);
    await this.deps.ledger.forget(resolved);
    const carried: Observed[] = states
      .filter((r) => !gone(r) && !present.has(r.fingerprint))
      .map((r) => ({ failure: r.failure, nature: 'state' as const }));
    const next: ScanState = {
      ...(detection.position ? { position: detection.position } : {}),
      ...(passSeen ? { passSeen: [...new Set(passSeen)] } : {}),
      ...(partial?.behind ? { behind: partial.behind } : {}),
      updatedAt: now.toISOString(),
    };
    return { resolved, carried, state: next };
  }
}
