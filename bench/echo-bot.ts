/**
 * The baseline of the turn-latency benchmark: a bare botbuilder echo bot on restify, the smallest Teams bot
 * there is (no state, no Graph, no cards). Started by bench/run.ts on a loopback port; PORT names it.
 */
import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import restify from 'restify';

const port = Number(process.env.PORT ?? '0');
const adapter = new CloudAdapter(
  new ConfigurationBotFrameworkAuthentication({} as ConfigurationBotFrameworkAuthenticationOptions),
);
const server = restify.createServer({ name: 'echo-bot' });
server.use(restify.plugins.bodyParser({ mapParams: false }));
server.post('/api/messages', async (req, res) => {
  await adapter.process(req, res, async (context) => {
    if (context.activity.type === 'message')
      await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
  });
});
server.get('/healthz', (_req, res, next) => {
  res.send(200, { status: 'ok' });
  next();
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ msg: 'echo bot listening', port: server.address().port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
