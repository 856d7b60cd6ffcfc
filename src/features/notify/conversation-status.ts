import type { AuditLog } from '../../domain/audit/audit-log';
import { baseConversationId, type Actor, type ConversationAddress } from '../../domain/conversation';
import type { Clock } from '../../infra/clock';
import type { Logger } from '../../infra/logger';
import type { ConversationDirectory, PauseState } from './conversation-directory';
import type { ConversationGate, DeliveryError, SendPermission } from '../shared/delivery';

const HOUR_MS = 60 * 60 * 1000;

/** A paused conversation is tried again after an hour, then after twice as long each time, at most a day. */
export function pauseBackoffMs(refusals: number): number {
  return Math.min(24 * HOUR_MS, HOUR_MS * 2 ** Math.max(0, refusals - 1));
}

/** Someone in a conversation talked to the bot (a message, a click, an install event). */
export interface ConversationListener {
  heard(address: ConversationAddress, from: Actor | undefined): Promise<void>;
}

/** What the status keeper needs. */
export interface ConversationStatusDeps {
  readonly directory: ConversationDirectory;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
}

const TEAMS: Actor = { id: '', aadObjectId: undefined, name: 'Microsoft Teams' };

/**
 * Acts on Teams' refusals by their error code ("Status codes from bot conversational APIs"). Blocked by a
 * user or disabled by an admin: the conversation and its subscriptions stay, posting pauses for a back-off,
 * and resumes when a later send goes through or someone there talks to the bot. Not in the roster, or the
 * conversation not found: it is forgotten. Each change is audited.
 */
export class ConversationStatus implements ConversationGate, ConversationListener {
  constructor(private readonly deps: ConversationStatusDeps) {}

  async beforeSend(address: ConversationAddress): Promise<SendPermission> {
    const paused = (await this.deps.directory.reference(baseConversationId(address.conversationId)))?.paused;
    if (!paused) return 'go';
    return Date.parse(paused.until) > this.deps.clock.now() ? 'hold' : 'probe';
  }

  async delivered(address: ConversationAddress): Promise<void> {
    await this.resume(address, TEAMS, 'a post went through after the pause');
  }

  async refused(
    address: ConversationAddress,
    verdict: 'pause' | 'forget',
    error: DeliveryError,
  ): Promise<void> {
    const conversationId = baseConversationId(address.conversationId);
    const log = this.deps.logger.child({ conversationId });
    if (verdict === 'pause') {
      const paused = await this.deps.directory.pause(address, error.code, pauseBackoffMs);
      log.warn(
        { status: error.status, code: error.code, until: paused.until },
        'Teams refuses posts to this conversation for now; posting paused, subscriptions kept',
      );
      await this.audit('conversation-paused', conversationId, TEAMS, pauseDetail(error, paused));
      return;
    }
    await this.deps.directory.forget(conversationId);
    log.warn(
      { status: error.status, code: error.code },
      'conversation reference dropped: Teams says the bot is no longer in this conversation',
    );
    await this.audit('conversation-forgotten', conversationId, TEAMS, `${error.status} ${error.code}`);
  }

  async heard(address: ConversationAddress, from: Actor | undefined): Promise<void> {
    const ref = await this.deps.directory.reference(baseConversationId(address.conversationId));
    if (!ref?.paused || ref.address.tenantId !== address.tenantId) return;
    await this.resume(address, from ?? TEAMS, 'someone in the conversation talked to the bot');
  }

  /** Audits a restore (teamRestored, channelRestored, teamUnarchived) that brought records back. */
  async restored(conversationId: string, detail: string): Promise<void> {
    await this.audit('conversation-restored', baseConversationId(conversationId), TEAMS, detail);
  }

  private async resume(address: ConversationAddress, by: Actor, why: string): Promise<void> {
    const conversationId = baseConversationId(address.conversationId);
    const was = await this.deps.directory.resume(conversationId);
    if (!was) return;
    this.deps.logger.info({ conversationId, code: was.code }, `posting resumed: ${why}`);
    await this.audit('conversation-resumed', conversationId, by, `${why} (paused for ${was.code})`);
  }

  private async audit(
    event:
      'conversation-paused' | 'conversation-resumed' | 'conversation-forgotten' | 'conversation-restored',
    conversationId: string,
    actor: Actor,
    detail: string,
  ): Promise<void> {
    await this.deps.audit.append({
      event,
      actor: { aadObjectId: actor.aadObjectId, name: actor.name },
      conversationId,
      remediationId: undefined,
      action: 'conversation',
      target: conversationId,
      detail,
    });
  }
}

function pauseDetail(error: DeliveryError, paused: PauseState): string {
  return `${error.status} ${error.code}: nothing is posted before ${paused.until}, or until someone there talks to the bot`;
}
