import type { ConversationAddress } from '../chat/chat-types';
import type { Logger } from '../logger';
import type { ConversationDirectory } from './conversation-directory';

/** An installation lifecycle change, already stripped of Bot Framework types by the bot layer. */
export type InstallationEvent =
  | { readonly kind: 'installed'; readonly address: ConversationAddress }
  | { readonly kind: 'uninstalled'; readonly address: ConversationAddress }
  | { readonly kind: 'teamDeleted'; readonly teamId: string }
  | { readonly kind: 'channelDeleted'; readonly channelId: string };

/** What the bot layer calls for installationUpdate and conversationUpdate activities. */
export interface InstallationHandler {
  handle(event: InstallationEvent, correlationId: string): Promise<void>;
}

/**
 * Keeps conversation references in step with where the bot is installed: stored on install (team, group
 * chat or personal), forgotten on uninstall, team deletion or channel deletion, so proactive cards only go
 * where the bot is welcome and survive restarts.
 */
export class InstallationTracker implements InstallationHandler {
  constructor(
    private readonly directory: ConversationDirectory,
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
        const count = await this.directory.forgetTeam(event.teamId);
        log.info({ teamId: event.teamId, conversations: count }, 'team deleted; references forgotten');
        return;
      }
      case 'channelDeleted':
        await this.directory.forget(event.channelId);
        log.info({ conversationId: event.channelId }, 'channel deleted; reference forgotten');
        return;
    }
  }
}
