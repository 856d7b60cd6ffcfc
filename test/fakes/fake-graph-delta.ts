import { randomUUID } from 'node:crypto';
import type { GraphUserSeed } from './fake-graph-types';

/** Users the fake makes up on demand (a large tenant), the `i`th of `count`; seeded users with an id shadow them. */
export interface GeneratedUsers {
  readonly count: number;
  user(i: number): GraphUserSeed;
}

/** Where the delta fake reads the tenant's users and how it draws one. */
export interface DeltaSource {
  explicit(): readonly GraphUserSeed[];
  generated(): GeneratedUsers | undefined;
  view(u: GraphUserSeed, select: string[] | undefined): Record<string, unknown>;
  now(): number;
  pageSize(): number | undefined;
}

/** An error the delta function answers with; the fake turns it into Graph's error body. */
export class DeltaRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** What the users were like when a deltaLink was issued: a hash per seeded user and how many were generated. */
interface Snapshot {
  readonly select: string[] | undefined;
  readonly hashes: ReadonlyMap<string, string>;
  readonly generated: number;
  readonly issuedAt: number;
}

/** A round being paged: the initial one walks every user, a later one a list of changes. */
type Round =
  | {
      kind: 'initial';
      select: string[] | undefined;
      explicit: readonly GraphUserSeed[];
      generated: number;
      next: Snapshot;
    }
  | { kind: 'changes'; select: string[] | undefined; items: Record<string, unknown>[]; next: Snapshot };

/** Directory delta links live seven days (delta-query-overview, "Token duration"). */
export const DELTA_TOKEN_LIFETIME_MS = 7 * 86_400_000;

const token = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

function untoken(raw: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * user: delta as its pages describe it: the first round returns every user, later rounds (from the deltaLink)
 * the users whose selected properties changed and `{"id","@removed":{"reason":"changed"}}` for users gone;
 * query parameters are encoded into the opaque $skiptoken / $deltatoken, not repeated in the links. A link
 * older than seven days answers 400 syncStateNotFound (the 2020 token-lifetime post's text); `expire()` makes
 * every issued link answer that, or 410 Gone with a Location to start over ("Synchronization reset").
 */
export class UserDeltaFake {
  private readonly rounds = new Map<string, Round>();
  private readonly snapshots = new Map<string, Snapshot>();
  private expiredAs: 'gone' | 'syncStateNotFound' | undefined;

  constructor(private readonly source: DeltaSource) {}

  /** Makes every link issued so far unusable, the way Graph says it may. */
  expire(how: 'gone' | 'syncStateNotFound'): void {
    this.expiredAs = how;
  }

  answer(query: Record<string, string>, select: string[] | undefined, base: string): Record<string, unknown> {
    const skip = query['$skiptoken'];
    const delta = query['$deltatoken'];
    if (skip !== undefined) return this.page(untoken(skip), base);
    if (delta !== undefined) return this.changes(delta, base);
    this.expiredAs = undefined;
    const id = randomUUID();
    this.rounds.set(id, {
      kind: 'initial',
      select,
      explicit: [...this.source.explicit()],
      generated: this.source.generated()?.count ?? 0,
      next: this.snapshot(select),
    });
    return this.page({ r: id, o: 0 }, base);
  }

  /** The i-th user of an initial round: seeded users first, then generated ones a seeded user does not shadow. */
  private initialUser(round: Extract<Round, { kind: 'initial' }>, i: number): GraphUserSeed | undefined {
    if (i < round.explicit.length) return round.explicit[i];
    const u = this.source.generated()?.user(i - round.explicit.length);
    return u && !round.next.hashes.has(u.id) ? u : undefined;
  }

  private snapshot(select: string[] | undefined): Snapshot {
    const hashes = new Map<string, string>();
    for (const u of this.source.explicit()) hashes.set(u.id, JSON.stringify(this.source.view(u, select)));
    return { select, hashes, generated: this.source.generated()?.count ?? 0, issuedAt: this.source.now() };
  }

  private changes(raw: string, base: string): Record<string, unknown> {
    const id = untoken(raw)?.['d'];
    const snap = typeof id === 'string' ? this.snapshots.get(id) : undefined;
    if (!snap) throw new DeltaRefusal(400, 'Request_BadRequest', 'The delta token is invalid.');
    if (this.expiredAs === 'gone') {
      throw new DeltaRefusal(
        410,
        'resyncRequired',
        'The delta token is no longer valid; reset the sync state.',
        {
          location: `${base}/v1.0/users/delta?$deltatoken=`,
        },
      );
    }
    if (
      this.expiredAs === 'syncStateNotFound' ||
      this.source.now() - snap.issuedAt > DELTA_TOKEN_LIFETIME_MS
    ) {
      throw new DeltaRefusal(
        400,
        'syncStateNotFound',
        'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
      );
    }
    const items: Record<string, unknown>[] = [];
    const now = new Set<string>();
    for (const u of this.source.explicit()) {
      now.add(u.id);
      const view = this.source.view(u, snap.select);
      if (snap.hashes.get(u.id) !== JSON.stringify(view)) items.push(view);
    }
    for (const gone of snap.hashes.keys()) {
      if (!now.has(gone)) items.push({ '@removed': { reason: 'changed' }, id: gone });
    }
    const gen = this.source.generated();
    for (let i = snap.generated; gen && i < gen.count; i++)
      items.push(this.source.view(gen.user(i), snap.select));
    const round = randomUUID();
    this.rounds.set(round, { kind: 'changes', select: snap.select, items, next: this.snapshot(snap.select) });
    return this.page({ r: round, o: 0 }, base);
  }

  private page(at: Record<string, unknown> | undefined, base: string): Record<string, unknown> {
    const id = at?.['r'];
    const offset = at?.['o'];
    const round = typeof id === 'string' ? this.rounds.get(id) : undefined;
    if (!round || typeof offset !== 'number') {
      throw new DeltaRefusal(
        400,
        'Request_BadRequest',
        'The specified page token value has expired or is invalid.',
      );
    }
    const all = round.kind === 'initial' ? round.explicit.length + round.generated : round.items.length;
    const size = this.source.pageSize() ?? Math.max(all, 1);
    const slice: Record<string, unknown>[] = [];
    for (let i = offset; i < Math.min(offset + size, all); i++) {
      if (round.kind === 'changes') slice.push(round.items[i] as Record<string, unknown>);
      else {
        const u = this.initialUser(round, i);
        if (u) slice.push(this.source.view(u, round.select));
      }
    }
    const body: Record<string, unknown> = {
      '@odata.context': `${base}/v1.0/$metadata#users${round.select ? `(${round.select.join(',')})` : ''}`,
    };
    if (offset + size < all) {
      body['@odata.nextLink'] = `${base}/v1.0/users/delta?$skiptoken=${token({ r: id, o: offset + size })}`;
    } else {
      this.rounds.delete(String(id));
      const snap = randomUUID();
      this.snapshots.set(snap, round.next);
      body['@odata.deltaLink'] = `${base}/v1.0/users/delta?$deltatoken=${token({ d: snap })}`;
    }
    body['value'] = slice;
    return body;
  }
}
