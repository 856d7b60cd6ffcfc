import type { Scheduler } from './scheduler';

/** At most `limit` sends in any window of `windowMs`. */
export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
}

/** Teams throttles a bot at about 7 messages a second per conversation and 50 a second per tenant. */
export const TEAMS_LIMITS = {
  perConversation: { limit: 7, windowMs: 1000 },
  perTenant: { limit: 50, windowMs: 1000 },
} as const satisfies Record<string, RateLimit>;

/** The spacing that keeps any window of `windowMs` at `limit` sends or fewer. */
export function spacingOf(rate: RateLimit): number {
  return Math.floor(rate.windowMs / rate.limit) + 1;
}

/**
 * Spaces sends evenly per conversation and per tenant. Callers serialise sends per conversation, so a
 * conversation waits for its own slot first and only then reserves a tenant slot: one busy conversation
 * does not push back every other conversation of the tenant.
 */
export class Pacer {
  private readonly nextByConversation = new Map<string, number>();
  private readonly nextByTenant = new Map<string, number>();
  private readonly conversationGap: number;
  private readonly tenantGap: number;

  constructor(
    private readonly scheduler: Scheduler,
    limits: { perConversation: RateLimit; perTenant: RateLimit } = TEAMS_LIMITS,
  ) {
    this.conversationGap = spacingOf(limits.perConversation);
    this.tenantGap = spacingOf(limits.perTenant);
  }

  /** Resolves when a send to this conversation may start; must not be called twice at once for one conversation. */
  async acquire(conversationKey: string, tenantKey: string): Promise<void> {
    const own = this.nextByConversation.get(conversationKey) ?? 0;
    let now = this.scheduler.now();
    if (own > now) {
      await this.scheduler.sleep(own - now);
      now = Math.max(this.scheduler.now(), own);
    }
    const slot = Math.max(now, this.nextByTenant.get(tenantKey) ?? 0);
    this.nextByTenant.set(tenantKey, slot + this.tenantGap);
    this.nextByConversation.set(conversationKey, slot + this.conversationGap);
    if (slot > now) await this.scheduler.sleep(slot - now);
  }
}
