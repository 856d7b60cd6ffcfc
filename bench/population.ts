/**
 * Who talks to the bot in `npm run bench` and `npm run soak`: people in many tenants, each tenant's requester
 * posting in channels of their own, so the load the harness offers is one Teams would accept from a bot.
 *
 * Teams throttles a bot's Bot Connector requests per conversation (7 in 1 s, 8 in 2 s, 60 in 30 s, 1,800 in an
 * hour; a channel's threads count as the channel) and per app and tenant (50 a second): "Optimize your bot
 * with rate limiting in Teams", https://learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit.
 * The bot holds those windows itself, so hundreds of turns a second from one person into one channel would
 * measure its waiting, not its work. Turns go round-robin over the conversations instead, conversation `c`
 * in tenant `c mod tenants`; {@link LoadPeaks} shows afterwards that no window came near its limit.
 */
import { CONTOSO, TeamsClient, type TeamsUser } from '../test/fakes';
import { baseConversationId, TEAMS_SEND_LIMITS, type RateWindow } from './project';

/** How many tenants and conversations the turns are spread over. */
export interface PopulationShape {
  readonly tenants: number;
  readonly conversations: number;
}

/** One conversation: a channel of a team in one tenant, the client that posts there and who posts. */
export interface Seat {
  readonly client: TeamsClient;
  readonly from: TeamsUser;
  readonly tenantId: string;
  /** The channel's id, which Teams' per-conversation windows count (threads included). */
  readonly conversation: string;
}

/** A GUID whose last group is `n`: ids that read back as what they are and pass the bot's GUID check. */
function guid(prefix: string, n: number): string {
  return `${prefix}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

/**
 * The tenants and people. Tenant 0 is Contoso, with Reggie Requester, so the bulk section and the tests' seed
 * keep working; tenant `t > 0` has a requester of its own. The bot's configuration admits them all through
 * settings a multi-tenant deployment sets anyway: ALLOWED_TENANT_IDS, and ADMIN_USER_IDS (the policy without
 * a POLICY_FILE) naming the requesters and Ada, the approver.
 */
export class Population {
  readonly tenantIds: readonly string[];
  readonly requesters: readonly TeamsUser[];

  constructor(readonly shape: PopulationShape) {
    const tenants = Array.from({ length: shape.tenants }, (_, t) => t);
    this.tenantIds = tenants.map((t) => (t === 0 ? CONTOSO.tenantId : guid('c0b00000', t)));
    this.requesters = tenants.map((t) =>
      t === 0
        ? { name: 'Reggie Requester', aadObjectId: CONTOSO.admins.reggie }
        : { name: `Requester ${t}`, aadObjectId: guid('20b00000', t) },
    );
  }

  /** The configuration that lets every tenant's requester use the bot. */
  botEnv(): Record<string, string> {
    return {
      ALLOWED_TENANT_IDS: this.tenantIds.join(','),
      ADMIN_USER_IDS: [CONTOSO.admins.ada, ...this.requesters.map((p) => p.aadObjectId)].join(','),
    };
  }

  /** One seat per conversation, posting to the bot at `botUrl`; two bots given the same seats see the same load. */
  seats(botUrl: string, serviceUrl: string): Seats {
    return new Seats(
      Array.from({ length: this.shape.conversations }, (_, c) => {
        const t = c % this.shape.tenants;
        const tenantId = this.tenantIds[t] ?? CONTOSO.tenantId;
        const channel = `19:bench-t${t}-c${c}@thread.tacv2`;
        const client = new TeamsClient({
          botUrl,
          serviceUrl,
          botId: CONTOSO.botId,
          botName: 'Provisioning Fixer',
          tenantId,
          teamId: `19:bench-team-t${t}@thread.tacv2`,
          channelId: channel,
        });
        return { client, from: this.requesters[t] ?? this.requesters[0]!, tenantId, conversation: channel };
      }),
    );
  }
}

/** The conversations, taken round-robin so each gets every `conversations`-th turn. */
export class Seats {
  private cursor = 0;
  private readonly byConversation: ReadonlyMap<string, Seat>;

  constructor(readonly all: readonly Seat[]) {
    this.byConversation = new Map(all.map((s) => [s.conversation, s]));
  }

  next(): Seat {
    const seat = this.all[this.cursor % this.all.length]!;
    this.cursor++;
    return seat;
  }

  /** The seat a conversation id (a thread of a channel included) belongs to. */
  of(conversationId: string): Seat | undefined {
    return this.byConversation.get(baseConversationId(conversationId));
  }
}

/** The most messages one key sent within each window, and the window's limit. */
export interface WindowPeak {
  readonly window: string;
  readonly peak: number;
  readonly limit: number;
}

/**
 * When each of one bot's messages reached the fake Bot Connector, per conversation and per tenant, and the
 * most any conversation or tenant sent within each of Teams' windows: the check that the offered load stayed
 * within what Teams accepts, so the bot's limiter had nothing to hold.
 */
export class LoadPeaks {
  private readonly conversations = new Map<string, number[]>();
  private readonly tenants = new Map<string, number[]>();

  note(seat: Seat, at: number): void {
    push(this.conversations, seat.conversation, at);
    push(this.tenants, seat.tenantId, at);
  }

  get messages(): number {
    let n = 0;
    for (const times of this.conversations.values()) n += times.length;
    return n;
  }

  report(): { conversation: WindowPeak[]; tenant: WindowPeak[]; withinLimits: boolean } {
    const conversation = TEAMS_SEND_LIMITS.perConversation.map((w) => peakOf(this.conversations, w));
    const tenant = TEAMS_SEND_LIMITS.perTenant.map((w) => peakOf(this.tenants, w));
    return {
      conversation,
      tenant,
      withinLimits: [...conversation, ...tenant].every((p) => p.peak <= p.limit),
    };
  }
}

function push(map: Map<string, number[]>, key: string, at: number): void {
  const times = map.get(key);
  if (times) times.push(at);
  else map.set(key, [at]);
}

/** The most times of any one key within `w.ms` of each other (a sliding window), with two pointers. */
function peakOf(map: ReadonlyMap<string, number[]>, w: RateWindow): WindowPeak {
  let peak = 0;
  for (const unsorted of map.values()) {
    const times = [...unsorted].sort((a, b) => a - b);
    let start = 0;
    for (let end = 0; end < times.length; end++) {
      while ((times[start] ?? 0) + w.ms <= (times[end] ?? 0)) start++;
      peak = Math.max(peak, end - start + 1);
    }
  }
  return { window: windowName(w.ms), peak, limit: w.limit };
}

function windowName(ms: number): string {
  return ms >= 3_600_000 ? `${ms / 3_600_000} h` : `${ms / 1000} s`;
}

/** "3 in 1 s (limit 7), …" for the results. */
export function describePeaks(peaks: readonly WindowPeak[]): string {
  return peaks.map((p) => `${p.peak} in ${p.window} (limit ${p.limit.toLocaleString('en-US')})`).join(', ');
}
