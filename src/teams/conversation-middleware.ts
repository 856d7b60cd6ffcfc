import { ActivityTypes, type Activity, type Middleware, type TurnContext } from 'botbuilder';
import type { SendLimiter } from './send-limiter';
import type { ConversationListener } from '../features/notify/conversation-status';
import type { Logger } from '../infra/logger';
import { errorMessage } from '../infra/logger';
import { addressOf, tenantOf } from './activity-mapping';

/** Activities a turn "sends" that never reach the Bot Connector (botbuilder's CloudAdapter keeps them). */
const NOT_SENT: ReadonlySet<string> = new Set([ActivityTypes.InvokeResponse, 'delay', ActivityTypes.Trace]);

/** Activities in which someone in the conversation talks to the bot, or installs or removes it. */
const HEARD: ReadonlySet<string> = new Set([
  ActivityTypes.Message,
  ActivityTypes.Invoke,
  ActivityTypes.InstallationUpdate,
]);

/**
 * Two things every turn needs from the conversation's point of view. Replies and updates a turn sends go
 * through the bot's one send limiter, ahead of queued notifications, so Teams' rate limits hold for them too.
 * And an activity from a person there resumes posting to a conversation paused because Teams refused it
 * (blocked by a user, disabled by an admin): the docs say to wait until someone talks to the bot again.
 */
export function conversationMiddleware(
  limiter: SendLimiter,
  listener: ConversationListener,
  logger: Logger,
): Middleware {
  return {
    onTurn: async (context: TurnContext, next: () => Promise<void>) => {
      const activity = context.activity;
      const slot = {
        conversationId: activity.conversation?.id ?? '',
        tenantId: tenantOf(activity),
        priority: 'interactive' as const,
      };
      context.onSendActivities(async (_ctx, activities, send) => {
        const count = activities.filter((a) => !NOT_SENT.has(a.type ?? '')).length;
        return count === 0 ? send() : limiter.schedule({ ...slot, count }, send);
      });
      context.onUpdateActivity(async (_ctx, _activity, update) => limiter.schedule(slot, update));
      if (fromPerson(activity)) {
        await listener
          .heard(addressOf(activity), {
            id: activity.from.id,
            aadObjectId: activity.from.aadObjectId,
            name: activity.from.name ?? 'someone',
          })
          .catch((err: unknown) =>
            logger.error({ err: errorMessage(err) }, 'could not resume posting to a paused conversation'),
          );
      }
      await next();
    },
  };
}

function fromPerson(activity: Activity): boolean {
  return HEARD.has(activity.type) && !!activity.conversation?.id && !!activity.from?.id;
}
