import type restify from 'restify';
import { ConnectorMessenger } from './connector-messenger';
import { conversationMiddleware } from './conversation-middleware';
import { createAdapter, createTeamsBot, type BotHandlers } from './teams-bot';
import { TeamsSendLimiter } from './send-limiter';
import type { Clock } from '../infra/clock';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import type { ConversationListener } from '../features/notify/conversation-status';
import type { NotificationWebhook } from '../features/notify/webhook';
import { createServer } from './server';

/** What the bot answers Teams with, once the features are built. */
export interface TeamsSurface {
  readonly handlers: BotHandlers;
  /** Told of every turn, so a conversation paused after Teams refused a post resumes when someone talks. */
  readonly conversations: ConversationListener;
  /** POST /api/notifications, when NOTIFY_WEBHOOK_SECRET is set. */
  readonly webhook: NotificationWebhook | undefined;
}

/** The Bot Framework side of the bot: sending to Teams, and serving it. */
export interface TeamsWiring {
  /** Sends and updates messages outside a turn, through the one limiter that holds Teams' rate limits. */
  readonly messenger: ConnectorMessenger;
  /** Serves Teams (and the webhook) on the configured host and port; resolves once listening. */
  serve(surface: TeamsSurface, logger: Logger): Promise<restify.Server>;
}

/** Builds the adapter and the one send limiter every send and update goes through, in a turn or not. */
export function wireTeams(config: Config, clock: Clock, logger: Logger): TeamsWiring {
  const adapter = createAdapter(config, logger);
  const sendLimiter = new TeamsSendLimiter(clock);
  return {
    messenger: new ConnectorMessenger(adapter, config.bot.id, sendLimiter),
    serve: async (surface, logger) => {
      adapter.use(conversationMiddleware(sendLimiter, surface.conversations, logger));
      const bot = createTeamsBot(config, adapter, () => surface.handlers, logger);
      const server = createServer(bot, logger, surface.webhook ? { notifications: surface.webhook } : {});
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => resolve());
      });
      return server;
    },
  };
}
