import { describeUser, type DirectoryUser } from '../../infra/graph/directory-lookup';
import type { GraphApi } from '../../infra/graph/graph-api';
import type { DetectedFailure } from './failure';

/**
 * `state` failures (a user's provisioning error, a failed request) last until a cycle no longer sees them;
 * `event` failures (a provisioning-log entry, a webhook alert) are occurrences, resolved by a quiet period.
 */
export type FailureNature = 'state' | 'event';

/** What a detector may use: the app-only (read) Graph client, the time, and persisted positions. */
export interface DetectionContext {
  readonly graph: GraphApi;
  readonly now: Date;
  /** The provisioning log's persisted watermark, if any. */
  readonly watermark: string | undefined;
}

/** What a detector found; `watermark` is where the next run should continue from. */
export interface Detection<K extends string = string> {
  readonly failures: readonly DetectedFailure<K>[];
  readonly watermark?: string;
}

/** One kind of failure and how to find it in Graph; each remediation's folder has the one for its kind. */
export interface Detector<K extends string = string> {
  readonly kind: K;
  readonly nature: FailureNature;
  detect(ctx: DetectionContext): Promise<Detection<K>>;
}

/** An upper bound per collection, so a pathological tenant cannot make one cycle endless. */
export const MAX_ITEMS = 50_000;

/** A user as failure cards name them: display name and UPN. */
export function userLabel(u: Pick<DirectoryUser, 'id' | 'displayName' | 'userPrincipalName'>): string {
  return describeUser(u as DirectoryUser);
}
