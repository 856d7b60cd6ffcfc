import Bottleneck from 'bottleneck';
import type { Clock } from '../infra/clock';
import { baseConversationId, type ConversationAddress } from '../domain/conversation';
import { WindowLog } from '../infra/rate-window';
import { TEAMS_SEND_LIMITS, type SendLimits } from './send-windows';

/**
 * Who waits for a send: a person (a reply to their command, the card they clicked, a run they watch) or
 * nobody in particular (a notification). A person's send takes the next free slot of the conversation ahead
 * of queued notifications.
 */
export type SendPriority = 'interactive' | 'background';

/** What one Bot Connector request counts against. */
export interface SendSlot {
  /** The conversation (a thread's `;messageid=` suffix is ignored: Teams counts the channel). */
  readonly conversationId: string;
  readonly tenantId: string | undefined;
  readonly priority: SendPriority;
  /** Messages the request carries (a turn may send several activities at once); default 1. */
  readonly count?: number;
}

/** Runs each Bot Connector send or update inside Teams' rate limits; implemented by TeamsSendLimiter. */
export interface SendLimiter {
  schedule<T>(slot: SendSlot, send: () => Promise<T>): Promise<T>;
}

/** The slot of a send to a stored address. */
export function slotOf(address: ConversationAddress, priority: SendPriority): SendSlot {
  return { conversationId: address.conversationId, tenantId: address.tenantId, priority };
}

/** Bottleneck priorities: lower runs first. */
const PRIORITY: Readonly<Record<SendPriority, number>> = { interactive: 2, background: 7 };

/** Idle conversations are dropped from memory at most this often. */
const SWEEP_EVERY_MS = 60_000;

interface Lane {
  /** Only while sends wait for the conversation's turn; most conversations never have one. */
  queue: Bottleneck | undefined;
  readonly log: WindowLog;
  /** Jobs queued and not yet started. */
  waiting: number;
  running: boolean;
  /** The lane's one token is back with nobody running or queued: the next send takes it without queueing. */
  free: boolean;
}

/**
 * The one limiter for every send and update the bot makes (notifications, remediation and bulk cards, thread
 * replies, replies in a turn): all of Teams' windows per conversation and the per-tenant one, on the
 * injected clock.
 *
 * Each conversation runs one job at a time (order kept) and holds one token. A send to a conversation with
 * nothing running or queued takes the token at once; the others wait in a Bottleneck queue (made when the
 * first one has to wait, dropped when the conversation is idle again) whose reservoir gets the token back only
 * once the conversation's windows have room, on the injected clock, so jobs wait queued rather than running,
 * and a person's send overtakes queued notifications by priority. Bottleneck's local store yields to the event
 * loop with a zero-delay timer at each step of a job, about 5 ms a job on Node 20: on every reply that would be
 * most of a command's turn, so a send that need not queue does not. The windows themselves are a sliding log
 * (WindowLog), which Bottleneck does not keep: its reservoir refresh is a fixed window and its own timers read
 * the system clock.
 */
export class TeamsSendLimiter implements SendLimiter {
  private readonly lanes = new Map<string, Lane>();
  private readonly tenants = new Map<string, WindowLog>();
  private lastSweep = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly limits: SendLimits = TEAMS_SEND_LIMITS,
  ) {}

  schedule<T>(slot: SendSlot, send: () => Promise<T>): Promise<T> {
    this.sweep();
    const lane = this.lane(baseConversationId(slot.conversationId));
    if (lane.free) {
      lane.free = false;
      return this.run(lane, slot, send);
    }
    lane.waiting++;
    lane.queue ??= new Bottleneck({ maxConcurrent: 1, reservoir: 0 });
    return lane.queue.schedule({ priority: PRIORITY[slot.priority] }, () => {
      lane.waiting--;
      return this.run(lane, slot, send);
    });
  }

  /** Runs one send holding the conversation's token, and passes the token on. */
  private async run<T>(lane: Lane, slot: SendSlot, send: () => Promise<T>): Promise<T> {
    lane.running = true;
    try {
      await this.admit(lane, slot);
      return await send();
    } finally {
      lane.running = false;
      this.giveBack(lane);
    }
  }

  /** Waits (holding the conversation's turn) until the conversation and its tenant have room, and books it. */
  private async admit(lane: Lane, slot: SendSlot): Promise<void> {
    const count = slot.count ?? 1;
    for (let now = this.clock.now(); ; now = this.clock.now()) {
      const own = lane.log.earliest(now, count);
      if (own > now) {
        await this.clock.sleep(own - now);
        continue;
      }
      const tenant = this.tenant(slot.tenantId ?? '');
      const at = tenant.earliest(now, count);
      tenant.book(at, count);
      if (at > now) await this.clock.sleep(at - now);
      lane.log.book(Math.max(at, this.clock.now()), count);
      return;
    }
  }

  /** After a send: the token goes to the queue when the windows have room, or waits for the next send. */
  private giveBack(lane: Lane): void {
    const queue = lane.queue;
    if (lane.waiting === 0 || !queue) {
      lane.free = true;
      lane.queue = undefined;
      return;
    }
    const wait = lane.log.earliest(this.clock.now()) - this.clock.now();
    const give = () => void queue.incrementReservoir(1);
    if (wait > 0) void this.clock.sleep(wait).then(give);
    else give();
  }

  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = {
        queue: undefined,
        log: new WindowLog(this.limits.perConversation),
        waiting: 0,
        running: false,
        free: true,
      };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private tenant(key: string): WindowLog {
    let log = this.tenants.get(key);
    if (!log) {
      log = new WindowLog(this.limits.perTenant);
      this.tenants.set(key, log);
    }
    return log;
  }

  /** Forgets conversations and tenants with nothing queued and nothing left in any window. */
  private sweep(): void {
    const now = this.clock.now();
    if (now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    for (const [key, lane] of this.lanes) {
      if (lane.waiting === 0 && !lane.running && lane.log.isIdle(now)) this.lanes.delete(key);
    }
    for (const [key, log] of this.tenants) if (log.isIdle(now)) this.tenants.delete(key);
  }
}
