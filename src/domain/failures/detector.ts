import { describeUser, type DirectoryUser } from '../../infra/graph/directory-lookup';
import type { PagingGraphApi } from '../../infra/graph/graph-api';
import type { Logger } from '../../infra/logger';
import type { DetectedFailure } from './failure';

/**
 * `state` failures (a user's provisioning error, a failed request) last until a cycle no longer sees them;
 * `event` failures (a provisioning-log entry, a webhook alert) are occurrences, resolved by a quiet period.
 */
export type FailureNature = 'state' | 'event';

/**
 * Where a detector's scan stands between cycles, as the detector wrote it (plain JSON: a delta or next link,
 * when its pass began, how much it has read). The monitor keeps it in the state store, shared by instances.
 */
export type ScanPosition = Readonly<Record<string, string | number | boolean | null>>;

/** What a detector may use: the app-only (read) Graph client, the time, and persisted positions. */
export interface DetectionContext {
  readonly graph: PagingGraphApi;
  readonly now: Date;
  /** The provisioning log's persisted watermark, if any. */
  readonly watermark: string | undefined;
  /** Where this detector's previous cycle left off; undefined the first time. */
  readonly position?: ScanPosition | undefined;
  /** Pages this detector may read this cycle; a pass that needs more stops and goes on next cycle. */
  readonly pageBudget: number;
  /** For what the log should know: a resync, a fallback to a full scan. */
  readonly logger: Logger;
  /**
   * Objects (lower-case ids) with open failures of this kind. An incremental detector need list only these in
   * `partial.objectIds`: no other object has a failure to clear, and the list stays as small as the failing set.
   */
  readonly openObjectIds?: ReadonlySet<string>;
}

/** How far an unfinished pass has got, for the log and the `subscriptions` command. */
export interface ScanProgress {
  /** When the pass began (ISO 8601). */
  readonly startedAt: string;
  readonly pages: number;
  readonly items: number;
}

/**
 * A detection that covered part of the picture: some objects (a delta round lists only what changed), or part
 * of a pass that goes on next cycle. Without it a detection is complete: its kind's failures are exactly those.
 */
export interface PartialCoverage {
  /** Objects whose current state was read (removed ones too): their failures are exactly those listed. */
  readonly objectIds?: readonly string[];
  /** A full pass over the collection began this cycle. */
  readonly passStarted: boolean;
  /** The pass ended this cycle: failures of this kind that it never saw are gone. */
  readonly passComplete: boolean;
  /** Set while a pass or a round is unfinished: it goes on next cycle from `position`. */
  readonly behind?: ScanProgress;
}

/** What a detector found; `watermark` is where the next run should continue from. */
export interface Detection<K extends string = string> {
  readonly failures: readonly DetectedFailure<K>[];
  readonly watermark?: string;
  readonly partial?: PartialCoverage;
  /** Saved for the next cycle (replacing the previous one) once this cycle's failures were handed on. */
  readonly position?: ScanPosition;
}

/** One kind of failure and how to find it in Graph; each remediation's folder has the one for its kind. */
export interface Detector<K extends string = string> {
  readonly kind: K;
  readonly nature: FailureNature;
  detect(ctx: DetectionContext): Promise<Detection<K>>;
}

/** A user as failure cards name them: display name and UPN. */
export function userLabel(u: Pick<DirectoryUser, 'id' | 'displayName' | 'userPrincipalName'>): string {
  return describeUser(u as DirectoryUser);
}
