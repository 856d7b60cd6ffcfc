import type { Clock } from '../../infra/clock';
import type { GraphApi } from '../../infra/graph/graph-api';
import { segment } from '../../infra/graph/odata';

/** Answers "is this user in any of these groups", transitively. */
export interface MembershipChecker {
  memberOfAny(userId: string, groupIds: readonly string[]): Promise<boolean>;
}

/** Graph accepts at most this many group ids per checkMemberGroups call. */
const CHECK_BATCH = 20;

/**
 * Transitive group membership through Graph's checkMemberGroups, with the app's read-only token, cached
 * briefly so a burst of clicks does not become a burst of Graph calls while a removal still takes effect soon.
 */
export class GraphGroupMembership implements MembershipChecker {
  private readonly cache = new Map<string, { member: boolean; until: number }>();

  constructor(
    private readonly graph: GraphApi,
    private readonly clock: Clock,
    private readonly ttlMs = 5 * 60_000,
  ) {}

  async memberOfAny(userId: string, groupIds: readonly string[]): Promise<boolean> {
    if (groupIds.length === 0) return false;
    const key = `${userId.toLowerCase()}|${[...groupIds]
      .map((g) => g.toLowerCase())
      .sort()
      .join(',')}`;
    const now = this.clock.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.member;
    let member = false;
    for (let i = 0; i < groupIds.length && !member; i += CHECK_BATCH) {
      const result = await this.graph.post<{ value?: string[] }>(
        `/users/${segment(userId)}/checkMemberGroups`,
        {
          groupIds: groupIds.slice(i, i + CHECK_BATCH),
        },
      );
      member = (result.body?.value ?? []).length > 0;
    }
    this.cache.set(key, { member, until: now + this.ttlMs });
    return member;
  }
}
