import { randomToken } from '../../infra/random-token';
import type { Clock } from '../../infra/clock';
import type { StateStore } from '../../infra/storage/state-store';

/** What happened to a remediation (or to an attempt at one). */
export type AuditEvent =
  | 'requested'
  | 'request-refused'
  | 'approved'
  | 'approval-refused'
  | 'rejected'
  | 'cancelled'
  | 'expired'
  | 'succeeded'
  | 'failed'
  | 'outcome-unknown'
  /** A verification check: the failure is gone, still there at a check with more to come, or at the last. */
  | 'verified-resolved'
  | 'verified-still-failing'
  | 'still-failing'
  /** The target could not be re-read (deleted, read refused, no answer at the last check). */
  | 'not-verified'
  /** The monitor or the webhook reported failures the bot had not seen: `count` of one family. */
  | 'failures-detected'
  /** Teams refused posts to a conversation for now (blocked by a user, bot disabled by an admin). */
  | 'conversation-paused'
  | 'conversation-resumed'
  /** Teams said the bot is not in a conversation, or it no longer exists: its records were removed. */
  | 'conversation-forgotten'
  /** A deleted team or channel was restored (or a team unarchived): its records came back. */
  | 'conversation-restored';

/**
 * What the trail keeps about the failure behind a remediation, so a report can be computed from the trail
 * alone: when the failure was first known to the bot, and the knowledge table's entry for each of its errors
 * (`unknown` for one the table does not know; empty where no diagnosis was made).
 */
export interface FailureFacts {
  readonly detectedAt: string;
  readonly causes: readonly string[];
  /** A failure card reported it before the request, so its detection is in a `failures-detected` entry. */
  readonly notified?: true;
}

/** One line of the trail: who did what to which target, where and when, and what Graph said. */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly event: AuditEvent;
  readonly actor: { readonly aadObjectId: string | undefined; readonly name: string };
  readonly conversationId: string;
  readonly remediationId: string | undefined;
  readonly action: string;
  /** Human description of the target (name, UPN, id…), for history cards and searching. */
  readonly target: string;
  readonly detail?: string;
  readonly graph?: { readonly status: number; readonly requestId: string | undefined };
  /** On entries about a remediation: the failure it addresses. Absent on entries written before it was kept. */
  readonly failure?: FailureFacts;
  /** How many failures a `failures-detected` entry stands for. */
  readonly count?: number;
}

/** What to look for in the trail. */
export interface AuditQuery {
  readonly action?: string;
  /** Matched against the actor and the target, case-insensitively. */
  readonly user?: string;
  readonly limit: number;
  /** Continue after this entry id (paging). */
  readonly after?: string;
  /**
   * One entry per remediation, its newest (where it stands now), on every page: entries of a remediation
   * that a newer one already stands for are left out. Entries about no remediation are all kept.
   */
  readonly latestPerRemediation?: boolean;
}

/** Where entries are written: one log per UTC hour (`audit/2026-11-23T08`), well inside an Append Blob's 50,000 blocks. */
const LOG_PREFIX = 'audit/';
/** Where entries were written before the journal, one item each; still read, never written. */
const ITEM_PREFIX = 'audit/';
/** How far apart the clocks of several instances may be, for bounding a timeline's scan. */
const CLOCK_SKEW_MS = 10 * 60 * 1000;
const MAX_TIME = 9_999_999_999_999;
const MAX_SEQ = 999_999_999;
/** Hourly logs read at once by `since`. */
const PARALLEL_READS = 8;

/** Ids sort newest first, so ascending order of ids is the trail's order. */
function newestFirst(a: AuditEntry, b: AuditEntry): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function matches(item: AuditEntry, q: AuditQuery, needle: string | undefined): boolean {
  if (q.action && item.action !== q.action) return false;
  return (
    !needle ||
    [item.actor.name, item.actor.aadObjectId ?? '', item.target].some((v) => v.toLowerCase().includes(needle))
  );
}

/**
 * The append-only audit trail. Entries go to an hourly log in the StateStore: appending to a log costs a
 * line added to a file (or a block to an Append Blob) where an item per entry cost a new file, and a
 * query reads a few logs instead of every entry ever written. Ids encode the time so that they sort newest
 * first; an entry goes to the log of the hour in its own id, so the logs never overlap in time. Trails
 * written before the journal, one item per entry, are still read and merged in by id.
 */
export class AuditLog {
  /** Orders entries written in the same millisecond by this process, newest first. */
  private sequence = 0;

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {}

  async append(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const now = new Date(this.clock.now());
    this.sequence = (this.sequence + 1) % MAX_SEQ;
    const id = [
      String(MAX_TIME - now.getTime()).padStart(13, '0'),
      String(MAX_SEQ - this.sequence).padStart(9, '0'),
      randomToken(4, 'hex'),
    ].join('-');
    const at = now.toISOString();
    const full: AuditEntry = { ...entry, id, at };
    await this.store.append(`${LOG_PREFIX}${at.slice(0, 13)}`, full);
    return full;
  }

  /** Newest first; `next` is set when more entries match. */
  async query(q: AuditQuery): Promise<{ entries: AuditEntry[]; next: string | undefined }> {
    const entries: AuditEntry[] = [];
    const needle = q.user?.toLowerCase();
    // Remediations a newer entry stands for, on this page or an earlier one.
    const shown = new Set<string>();
    const oneOf = (item: AuditEntry) => {
      if (!q.latestPerRemediation || item.remediationId === undefined) return false;
      if (shown.has(item.remediationId)) return true;
      shown.add(item.remediationId);
      return false;
    };
    for await (const item of this.entries()) {
      if (!matches(item, q, needle)) continue;
      if (q.after && item.id <= q.after) {
        oneOf(item);
        continue;
      }
      if (entries.length === q.limit) {
        if (oneOf(item)) continue;
        return { entries, next: entries[entries.length - 1]?.id };
      }
      if (!oneOf(item)) entries.push(item);
    }
    return { entries, next: undefined };
  }

  /**
   * Every entry of one remediation, oldest first: its timeline. Given when the remediation was made, the
   * scan stops a little before then (clocks of several instances differ) instead of reading the whole trail.
   */
  async forRemediation(remediationId: string, createdAt?: string): Promise<AuditEntry[]> {
    const stopAt = createdAt === undefined ? undefined : Date.parse(createdAt) - CLOCK_SKEW_MS;
    const entries: AuditEntry[] = [];
    for await (const item of this.entries()) {
      if (stopAt !== undefined && Date.parse(item.at) < stopAt) break;
      if (item.remediationId === remediationId) entries.push(item);
    }
    return entries.reverse();
  }

  /**
   * Every entry written at or after `from` (an ISO instant), newest first. Only the logs of the hours since
   * `from` are read (an entry is in the log of its own hour), a few at a time, so a month of a busy trail on
   * Blob Storage costs a few round trips of reads, not one per hour in turn.
   */
  async since(from: string): Promise<AuditEntry[]> {
    const fromMs = Date.parse(from);
    const hour = `${LOG_PREFIX}${new Date(fromMs).toISOString().slice(0, 13)}`;
    const logs = (await this.store.logs(LOG_PREFIX)).filter((log) => log >= hour);
    const entries: AuditEntry[] = [];
    for (let i = 0; i < logs.length; i += PARALLEL_READS) {
      const read = await Promise.all(
        logs.slice(i, i + PARALLEL_READS).map((log) => this.store.readLog<AuditEntry>(log)),
      );
      entries.push(...read.flat());
    }
    for (const key of await this.store.list(ITEM_PREFIX)) {
      // A pre-journal item's id starts with its time, counted down from MAX_TIME.
      if (MAX_TIME - Number(key.slice(ITEM_PREFIX.length, ITEM_PREFIX.length + 13)) < fromMs) break;
      const item = (await this.store.get<AuditEntry>(key))?.value;
      if (item) entries.push(item);
    }
    return entries.filter((e) => Date.parse(e.at) >= fromMs).sort(newestFirst);
  }

  /** The whole trail, newest first: the hourly logs from the latest back, merged with pre-journal items. */
  private async *entries(): AsyncGenerator<AuditEntry> {
    const store = this.store;
    const items = await store.list(ITEM_PREFIX);
    let next = 0;
    /** Pre-journal items whose ids sort before `id` (without one, all that are left). */
    async function* itemsBefore(id?: string): AsyncGenerator<AuditEntry> {
      for (; next < items.length; next++) {
        const key = items[next] ?? '';
        if (id !== undefined && key.slice(ITEM_PREFIX.length) >= id) return;
        const item = (await store.get<AuditEntry>(key))?.value;
        if (item) yield item;
      }
    }
    for (const log of (await store.logs(LOG_PREFIX)).reverse()) {
      for (const entry of (await store.readLog<AuditEntry>(log)).sort(newestFirst)) {
        yield* itemsBefore(entry.id);
        yield entry;
      }
    }
    yield* itemsBefore();
  }
}
