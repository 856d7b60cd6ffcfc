import type { ConversationAddress } from '../../domain/conversation';
import type { Logger } from '../../infra/logger';
import type { ConversationDirectory } from './conversation-directory';
import type { ConversationStatus } from './conversation-status';

/** An installation lifecycle change, already stripped of Bot Framework types by the bot layer. */
export type InstallationEvent =
  | { readonly kind: 'installed'; readonly address: ConversationAddress }
  | { readonly kind: 'uninstalled'; readonly address: ConversationAddress }
  /** `hard`: teamHardDeleted, which no restore follows. */
  | { readonly kind: 'teamDeleted'; readonly teamId: string; readonly hard: boolean }
  | { readonly kind: 'channelDeleted'; readonly channelId: string }
  /** teamRestored or teamUnarchived: the team is back and the bot still in it. */
  | {
      readonly kind: 'teamRestored';
      readonly teamId: string;
      readonly address: ConversationAddress;
      readonly eventType: string;
    }
  | { readonly kind: 'channelRestored'; readonly channelId: string };

/** What the bot layer calls for installationUpdate and conversationUpdate activities. */
export interface InstallationHandler {
  handle(event: InstallationEvent, correlationId: string): Promise<void>;
}

/**
 * Keeps conversation references in step with where the bot is installed: stored on install (team, group
 * chat or personal), forgotten on uninstall or a team's hard deletion; a deleted team or channel is retired
 * with its subscriptions and comes back when Teams says it was restored (teamRestored, channelRestored,
 * teamUnarchived), so proactive cards only go where the bot is welcome and survive restarts.
 */
export class InstallationTracker implements InstallationHandler {
  constructor(
    private readonly directory: ConversationDirectory,
    private readonly status: ConversationStatus,
    private readonly logger: Logger,
  ) {}

  async handle(event: InstallationEvent, correlationId: string): Promise<void> {
    const log = this.logger.child({ correlationId });
    switch (event.kind) {
      case 'installed': {
        const ref = await this.directory.remember(event.address);
        log.info(
          { conversationId: ref.conversationId, conversationType: ref.conversationType, teamId: ref.teamId },
          'bot installed; conversation reference stored',
        );
        return;
      }
      case 'uninstalled': {
        if (event.address.teamId) {
          const count = await this.directory.forgetTeam(event.address.teamId);
          log.info(
            { teamId: event.address.teamId, conversations: count },
            'bot removed from a team; references forgotten',
          );
        } else {
          await this.directory.forget(event.address.conversationId);
          log.info(
            { conversationId: event.address.conversationId },
            'bot removed; conversation reference forgotten',
          );
        }
        return;
      }
      case 'teamDeleted': {
        if (event.hard) {
          const count = await this.directory.forgetTeam(event.teamId);
          log.info(
            { teamId: event.teamId, conversations: count },
            'team deleted for good; references forgotten',
          );
        } else {
          const count = await this.directory.retireTeam(event.teamId);
          log.info({ teamId: event.teamId, records: count }, 'team deleted; kept aside until it is restored');
        }
        return;
      }
      case 'channelDeleted': {
        const count = await this.directory.retire(event.channelId);
        log.info(
          { conversationId: event.channelId, records: count },
          'channel deleted; kept aside until restored',
        );
        return;
      }
      case 'teamRestored': {
        const count = await this.directory.reviveTeam(event.teamId);
        await this.directory.remember(event.address);
        log.info(
          { teamId: event.teamId, records: count, eventType: event.eventType },
          'team back; references restored',
        );
        await this.status.restored(event.teamId, `${event.eventType}: ${count} record(s) restored`);
        return;
      }
      case 'channelRestored': {
        const count = await this.directory.revive(event.channelId);
        log.info(
          { conversationId: event.channelId, records: count },
          'channel restored; references restored',
        );
        if (count > 0)
          await this.status.restored(event.channelId, `channelRestored: ${count} record(s) restored`);
        return;
      }
    }
  }
}
