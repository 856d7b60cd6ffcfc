import { randomToken } from '../../infra/random-token';
import { mutate, type StateStore } from '../../infra/storage/state-store';
import { upsert } from './conversation-directory';
import type { FailureNature, ScanPosition, ScanProgress } from '../../domain/failures/detector';
import { fingerprint, type DetectedFailure } from '../../domain/failures/failure';
import { compareDateTimes } from '../../infra/graph/date-time';

/** One known failure and the conversations it was already posted to. */
export interface FailureRecord {
  readonly fingerprint: string;
  readonly failure: DetectedFailure;
  readonly nature: FailureNature;
  readonly firstSeen: string;
  /**
   * State: when it was first seen or last seen changed (an open failure seen again as it was is not rewritten,
   * so a cycle writes only what changed). Event: the latest occurrence.
   */
  readonly lastSeen: string;
  /** Conversation id → when it was posted there. */
  readonly postedTo: Readonly<Record<string, string>>;
}

/** What a Remediate button stands for: a failure as posted to one conversation. */
export interface Notice {
  readonly id: string;
  readonly fingerprint: string;
  readonly conversationId: string;
  readonly failure: DetectedFailure;
  readonly createdAt: string;
  /** The remediation its Remediate button created; set once, so a double click prepares one. */
  readonly remediationId?: string;
}

/** How long an event failure must stay quiet before a new occurrence counts as a recurrence. */
export const EVENT_QUIET_MS = 24 * 3_600_000;

/**
 * How long a notice (what an alert's Remediate button points at) is kept once its failure is no longer open;
 * the notice of a failure still open is kept, so its alert's button keeps working.
 */
export const NOTICE_RETENTION_MS = 30 * 24 * 3_600_000;

/** Why a click finds no notice, for the alert's answer: so the admin knows to type the command. */
export const FORGOTTEN_ALERTS = `an alert is forgotten ${NOTICE_RETENTION_MS / 86_400_000} days after it was posted, once its failure is no longer open`;

/** Notices are swept at most this often: a sweep reads every notice. */
const NOTICE_SWEEP_EVERY_MS = 24 * 3_600_000;

const FAILURE_PREFIX = 'notify/failure/';
const NOTICE_PREFIX = 'notify/notice/';
const NOTICE_SWEEP = 'notify/sweep/notices';
const WATERMARK_PREFIX = 'notify/watermark/';
const SCAN_PREFIX = 'notify/scan/';

/** Where one detector's scan stands, kept between cycles and shared by instances. */
export interface ScanState {
  readonly position?: ScanPosition;
  /** Fingerprints the full pass under way has found so far; what it never finds is resolved when it ends. */
  readonly passSeen?: readonly string[];
  /** Set while a pass or a delta round is unfinished. */
  readonly behind?: ScanProgress;
  readonly updatedAt: string;
}
const OPAQUE_ID = /^[A-Za-z0-9_-]{22}$/;

function failureKey(kind: string, fp: string): string {
  return `${FAILURE_PREFIX}${kind}/${fp}`;
}

/**
 * The dedupe memory: which failures are open and where they were posted. A failure is posted once per
 * conversation and again only after it was resolved; claims are conditional writes, so two monitor runs
 * (or two instances) never post the same failure twice.
 */
export class FailureLedger {
  constructor(
    private readonly store: StateStore,
    private readonly quietMs: number = EVENT_QUIET_MS,
  ) {}

  /**
   * Records that a failure is (still) present; a stale event record is reset, so it posts again. A failure
   * seen again exactly as recorded is left unwritten: the monitor hands every open failure over each cycle.
   */
  async observe(failure: DetectedFailure, nature: FailureNature, now: Date): Promise<FailureRecord> {
    const fp = fingerprint(failure);
    const seenAt = nature === 'event' ? failure.occurredAt : now.toISOString();
    const saved = await upsert<FailureRecord>(this.store, failureKey(failure.kind, fp), (current) => {
      if (!current || this.isQuietEvent(current, Date.parse(seenAt))) {
        return {
          fingerprint: fp,
          failure,
          nature,
          firstSeen: now.toISOString(),
          lastSeen: seenAt,
          postedTo: {},
        };
      }
      const merged = current.nature === 'state' || nature === 'state' ? 'state' : 'event';
      const changed =
        merged !== current.nature || JSON.stringify(failure) !== JSON.stringify(current.failure);
      const lastSeen = nature === 'state' && !changed ? current.lastSeen : later(current.lastSeen, seenAt);
      if (!changed && lastSeen === current.lastSeen) return undefined;
      return { ...current, failure, nature: merged, lastSeen };
    });
    if (!saved) throw new Error('The failure record could not be saved');
    return saved;
  }

  /** Forgets state failures of the given kinds that the latest complete detection no longer found. */
  async resolveAbsent(kinds: Iterable<string>, present: ReadonlySet<string>): Promise<FailureRecord[]> {
    const resolved: FailureRecord[] = [];
    for (const kind of kinds) {
      for (const key of await this.store.list(`${FAILURE_PREFIX}${kind}/`)) {
        const record = (await this.store.get<FailureRecord>(key))?.value;
        if (record && record.nature === 'state' && !present.has(record.fingerprint)) {
          await this.store.delete(key);
          resolved.push(record);
        }
      }
    }
    return resolved;
  }

  /** The open state failures of a kind: what an incremental detection carries on without reading it again. */
  async openStates(kind: string): Promise<FailureRecord[]> {
    const open: FailureRecord[] = [];
    for (const key of await this.store.list(`${FAILURE_PREFIX}${kind}/`)) {
      const record = (await this.store.get<FailureRecord>(key))?.value;
      if (record && record.nature === 'state') open.push(record);
    }
    return open;
  }

  /** Forgets these failures (the monitor found them gone). */
  async forget(records: readonly FailureRecord[]): Promise<void> {
    for (const r of records) await this.store.delete(failureKey(r.failure.kind, r.fingerprint));
  }

  /** Where a detector's scan stands; undefined before its first cycle. */
  async scanState(kind: string): Promise<ScanState | undefined> {
    return (await this.store.get<ScanState>(SCAN_PREFIX + kind))?.value;
  }

  /** Every detector's scan state, by kind. */
  async scanStates(): Promise<Record<string, ScanState>> {
    const out: Record<string, ScanState> = {};
    for (const key of await this.store.list(SCAN_PREFIX)) {
      const state = (await this.store.get<ScanState>(key))?.value;
      if (state) out[key.slice(SCAN_PREFIX.length)] = state;
    }
    return out;
  }

  async saveScanState(kind: string, state: ScanState): Promise<void> {
    await upsert<ScanState>(this.store, SCAN_PREFIX + kind, () => state);
  }

  /**
   * The ledger's housekeeping: quiet events and old notices forgotten. The monitor runs it each cycle; with the
   * monitor off, the webhook's deployment runs it on a timer of its own.
   */
  async sweep(now: Date): Promise<{ readonly quietEvents: number; readonly notices: number }> {
    return { quietEvents: await this.sweepQuietEvents(now), notices: await this.sweepNotices(now) };
  }

  /** Forgets event failures that have been quiet for the quiet period. */
  async sweepQuietEvents(now: Date): Promise<number> {
    let swept = 0;
    for (const key of await this.store.list(FAILURE_PREFIX)) {
      const record = (await this.store.get<FailureRecord>(key))?.value;
      if (record && this.isQuietEvent(record, now.getTime())) {
        await this.store.delete(key);
        swept++;
      }
    }
    return swept;
  }

  /**
   * Forgets the notices older than {@link NOTICE_RETENTION_MS} whose failure is no longer open; without it every
   * alert ever posted would stay in the store. Runs at most once a day across instances (the first to move the
   * sweep's marker sweeps); resolves how many were forgotten.
   */
  async sweepNotices(now: Date): Promise<number> {
    const at = now.toISOString();
    const marker = await upsert<{ at: string }>(this.store, NOTICE_SWEEP, (last) =>
      last && now.getTime() - Date.parse(last.at) < NOTICE_SWEEP_EVERY_MS ? undefined : { at },
    );
    if (marker?.at !== at) return 0;
    let swept = 0;
    for (const key of await this.store.list(NOTICE_PREFIX)) {
      const notice = (await this.store.get<Notice>(key))?.value;
      if (!notice || now.getTime() - Date.parse(notice.createdAt) <= NOTICE_RETENTION_MS) continue;
      if (await this.store.get(failureKey(notice.failure.kind, notice.fingerprint))) continue;
      await this.store.delete(key);
      swept++;
    }
    return swept;
  }

  /** Marks a failure as posted to a conversation; false when it already was (someone else won). */
  async claim(failure: DetectedFailure, conversationId: string, now: Date): Promise<boolean> {
    const result = await mutate<FailureRecord>(
      this.store,
      failureKey(failure.kind, fingerprint(failure)),
      (r) =>
        r.postedTo[conversationId]
          ? undefined
          : { ...r, postedTo: { ...r.postedTo, [conversationId]: now.toISOString() } },
    );
    return result?.changed === true;
  }

  /** Undoes a claim after a send that did not get through, so the next cycle tries again. */
  async release(failure: DetectedFailure, conversationId: string): Promise<void> {
    await mutate<FailureRecord>(this.store, failureKey(failure.kind, fingerprint(failure)), (r) => {
      if (!r.postedTo[conversationId]) return undefined;
      const postedTo = { ...r.postedTo };
      delete postedTo[conversationId];
      return { ...r, postedTo };
    });
  }

  async record(failure: DetectedFailure): Promise<FailureRecord | undefined> {
    return (await this.store.get<FailureRecord>(failureKey(failure.kind, fingerprint(failure))))?.value;
  }

  /** Stores what a Remediate button points at, under an unguessable id. */
  async createNotice(failure: DetectedFailure, conversationId: string, now: Date): Promise<Notice> {
    const notice: Notice = {
      id: randomToken(16, 'base64url'),
      fingerprint: fingerprint(failure),
      conversationId,
      failure,
      createdAt: now.toISOString(),
    };
    await this.store.create(NOTICE_PREFIX + notice.id, notice);
    return notice;
  }

  async notice(id: unknown): Promise<Notice | undefined> {
    if (typeof id !== 'string' || !OPAQUE_ID.test(id)) return undefined;
    return (await this.store.get<Notice>(NOTICE_PREFIX + id))?.value;
  }

  /**
   * Reserves the remediation id a notice's Remediate button creates. Resolves the id that holds the claim:
   * `reserved` for the first click, the earlier id for every later one.
   */
  async claimNotice(id: string, reserved: string): Promise<string | undefined> {
    const claimed = await mutate<Notice>(this.store, NOTICE_PREFIX + id, (n) =>
      n.remediationId ? undefined : { ...n, remediationId: reserved },
    );
    return claimed?.value.remediationId;
  }

  /**
   * Gives a notice back when the remediation reserved for it was never stored (the requester was refused, the
   * target not found, the write failed), so the next click on its button prepares one instead of waiting for it.
   */
  async releaseNotice(id: string, reserved: string): Promise<void> {
    await mutate<Notice>(this.store, NOTICE_PREFIX + id, (n) =>
      n.remediationId === reserved ? { ...n, remediationId: undefined } : undefined,
    );
  }

  /** A persisted position in a log (e.g. the provisioning log's last activityDateTime read). */
  async watermark(name: string): Promise<string | undefined> {
    return (await this.store.get<{ since: string }>(WATERMARK_PREFIX + name))?.value.since;
  }

  /** Moves a watermark forward (never back). */
  async advanceWatermark(name: string, since: string): Promise<void> {
    await upsert<{ since: string }>(this.store, WATERMARK_PREFIX + name, (current) =>
      current && compareDateTimes(current.since, since) >= 0 ? undefined : { since },
    );
  }

  /** An event occurrence older than the quiet period is history, not news: it is not posted. */
  isHistory(failure: DetectedFailure, nature: FailureNature, now: Date): boolean {
    return nature === 'event' && now.getTime() - Date.parse(failure.occurredAt) > this.quietMs;
  }

  private isQuietEvent(record: FailureRecord, atMs: number): boolean {
    return record.nature === 'event' && atMs - Date.parse(record.lastSeen) > this.quietMs;
  }
}

function later(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}
