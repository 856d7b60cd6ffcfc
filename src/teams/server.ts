import restify from 'restify';
import type { TeamsBot } from './teams-bot';
import { errorMessage, type Logger } from '../infra/logger';
import {
  MAX_WEBHOOK_BYTES,
  readLimitedBody,
  TOO_LARGE,
  type NotificationWebhook,
} from '../features/notify/webhook';

/** The largest activity accepted; Teams activities are a few KB, so anything bigger is refused unread. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Optional endpoints, present only when configured. */
export interface ServerExtras {
  /** POST /api/notifications; absent (404) when NOTIFY_WEBHOOK_SECRET is unset. */
  readonly notifications?: NotificationWebhook;
}

/** The HTTP surface: Bot Framework activities in, a health probe for the load balancer. */
export function createServer(bot: TeamsBot, logger: Logger, extras: ServerExtras = {}): restify.Server {
  const server = restify.createServer({
    name: 'entra-provisioning-chatops',
    handleUncaughtExceptions: false,
  });
  const webhook = extras.notifications;
  if (webhook) {
    // Before routing and the shared body parser: the webhook signs the raw bytes and caps them at 64 KB.
    server.pre((req, res, next) => {
      if (req.method !== 'POST' || req.getPath() !== '/api/notifications') return next();
      void answerWebhook(webhook, req, res, logger).then(() => next(false));
    });
  }
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    try {
      await bot.process(req, res);
    } catch (err) {
      logger.error({ err: errorMessage(err) }, 'activity processing failed');
      if (!res.headersSent) res.send(500);
    }
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  return server;
}

/** Reads at most 64 KB (refusing a larger declared or actual body unread), then lets the webhook answer. */
async function answerWebhook(
  webhook: NotificationWebhook,
  req: restify.Request,
  res: restify.Response,
  logger: Logger,
): Promise<void> {
  try {
    const declared = Number(req.headers['content-length'] ?? '0');
    const read =
      declared > MAX_WEBHOOK_BYTES
        ? ({ ok: false, reason: 'TooLarge' } as const)
        : await readLimitedBody(req, MAX_WEBHOOK_BYTES);
    if (!read.ok) res.setHeader('connection', 'close');
    const answer = read.ok ? await webhook.handle(req.headers, read.body) : TOO_LARGE;
    res.send(answer.status, answer.body);
  } catch (err) {
    logger.error({ err: errorMessage(err) }, 'notification webhook failed');
    if (!res.headersSent) res.send(500, { error: { code: 'InternalError', message: 'Try again later.' } });
  }
}
