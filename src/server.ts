import restify from 'restify';
import type { TeamsBot } from './bot/teams-bot';
import type { Logger } from './logger';

/** The largest activity accepted; Teams activities are a few KB, so anything bigger is refused unread. */
export const MAX_BODY_BYTES = 256 * 1024;

/** The HTTP surface: Bot Framework activities in, a health probe for the load balancer. */
export function createServer(bot: TeamsBot, logger: Logger): restify.Server {
  const server = restify.createServer({
    name: 'entra-provisioning-chatops',
    handleUncaughtExceptions: false,
  });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    try {
      await bot.adapter.process(req, res, async (context) => {
        await bot.app.run(context);
      });
    } catch (err) {
      logger.error({ err: err instanceof Error ? err.message : String(err) }, 'activity processing failed');
      if (!res.headersSent) res.send(500);
    }
  });

  server.get('/healthz', (_req, res, next) => {
    res.send(200, { status: 'ok' });
    next();
  });

  return server;
}
