import type { RateWindow } from '../infra/rate-window';

/**
 * Teams' documented limits for a bot's sends ("Optimize your bot with rate limiting in Teams"): per bot and
 * conversation (a personal chat, a group chat or a channel) 7 in 1 s, 8 in 2 s, 60 in 30 s and 1,800 in an
 * hour; per app and tenant 50 a second. Every window holds at once.
 */
export const TEAMS_SEND_LIMITS = {
  perConversation: [
    { limit: 7, ms: 1000 },
    { limit: 8, ms: 2000 },
    { limit: 60, ms: 30_000 },
    { limit: 1800, ms: 3_600_000 },
  ],
  perTenant: [{ limit: 50, ms: 1000 }],
} as const satisfies Record<string, readonly RateWindow[]>;

/** Which windows apply to a conversation and to a tenant. */
export interface SendLimits {
  readonly perConversation: readonly RateWindow[];
  readonly perTenant: readonly RateWindow[];
}
