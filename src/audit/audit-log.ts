import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock';
import type { StateStore } from '../storage/state-store';

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
  | 'outcome-unknown';

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
}

/** What to look for in the trail. */
export interface AuditQuery {
  readonly action?: string;
  /** Matched against the actor and the target, case-insensitively. */
  readonly user?: string;
  readonly limit: number;
  /** Continue after this entry id (paging). */
  readonly after?: string;
}

const PREFIX = 'audit/';
const MAX_TIME = 9_999_999_999_999;
const MAX_SEQ = 999_999_999;

/**
 * The append-only audit trail, stored through the same StateStore as everything else. Each entry is its
 * own create-only item whose key sorts newest first, so appends never contend and nothing is rewritten.
 */
export class AuditLog {
  /** Orders entries written in the same millisecond by this process, newest first. */
  private sequence = 0;

  constructor(
    private readonly store: StateStore,
    private readonly clock: Clock,
  ) {}

  async append(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const now = this.clock.now();
    this.sequence = (this.sequence + 1) % MAX_SEQ;
    const id = [
      String(MAX_TIME - now.getTime()).padStart(13, '0'),
      String(MAX_SEQ - this.sequence).padStart(9, '0'),
      randomBytes(4).toString('hex'),
    ].join('-');
    const full: AuditEntry = { ...entry, id, at: now.toISOString() };
    await this.store.create(`${PREFIX}${id}`, full);
    return full;
  }

  /** Newest first; `next` is set when more entries match. */
  async query(q: AuditQuery): Promise<{ entries: AuditEntry[]; next: string | undefined }> {
    const keys = await this.store.list(PREFIX);
    const start = q.after ? keys.findIndex((k) => k > `${PREFIX}${q.after}`) : 0;
    const entries: AuditEntry[] = [];
    const needle = q.user?.toLowerCase();
    for (let i = Math.max(0, start); i < keys.length; i++) {
      const key = keys[i];
      if (!key) continue;
      const item = (await this.store.get<AuditEntry>(key))?.value;
      if (!item) continue;
      if (q.action && item.action !== q.action) continue;
      if (
        needle &&
        ![item.actor.name, item.actor.aadObjectId ?? '', item.target].some((v) =>
          v.toLowerCase().includes(needle),
        )
      ) {
        continue;
      }
      if (entries.length === q.limit) return { entries, next: entries[entries.length - 1]?.id };
      entries.push(item);
    }
    return { entries, next: undefined };
  }

  /** Every entry of one remediation, oldest first: its timeline. */
  async forRemediation(remediationId: string): Promise<AuditEntry[]> {
    const keys = await this.store.list(PREFIX);
    const entries: AuditEntry[] = [];
    for (const key of keys) {
      const item = (await this.store.get<AuditEntry>(key))?.value;
      if (item?.remediationId === remediationId) entries.push(item);
    }
    return entries.reverse();
  }
}
