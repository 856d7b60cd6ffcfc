import type { AdaptiveCardJson } from '../../src/cards/render';
import type { CommandTurn, ReplySink } from '../../src/chat/chat-types';
import { CommandHandler } from '../../src/commands/command-handler';
import { createLogger } from '../../src/logger';
import { channelAddress } from './channel-address';
import { REGGIE, resolverScene } from './resolver-scene';

/**
 * A command's confirmation card goes out first; its records (the pending remediation, the audit entry) are
 * written only once the turn has answered Teams, so the answer never waits on them, and they are written even
 * when the turn fails after the card went out. Shutdown waits for them.
 */
const NOW = new Date('2026-11-23T12:00:00Z');

function scene() {
  const { registry, remediations, resolver, requestsAudited } = resolverScene(NOW);
  const handler = new CommandHandler(registry, resolver, createLogger('silent'));
  const turn: CommandTurn = {
    rawText: 'retry-provisioning alice@contoso.com',
    mentions: [],
    botId: '28:bot',
    from: { id: '29:reggie', aadObjectId: REGGIE, name: 'Reggie' },
    address: channelAddress(),
    origin: { tenantId: 't', teamId: undefined, channelId: undefined },
    correlationId: 'corr-1',
  };
  let answer = (): void => undefined;
  const sent: AdaptiveCardJson[] = [];
  const sink: ReplySink = {
    sendCard: async (card) => {
      sent.push(card);
      return 'activity-1';
    },
    replaceCard: async () => undefined,
    answered: new Promise<void>((resolve) => (answer = resolve)),
  };
  const remediationIdOf = (card: AdaptiveCardJson | undefined) =>
    /"rid":"([^"]+)"/.exec(JSON.stringify(card))?.[1];
  return { handler, turn, sink, sent, answer, remediations, remediationIdOf, requestsAudited };
}

it('writes nothing of a sent confirmation until the turn has answered, then writes it once', async () => {
  const { handler, turn, sink, sent, answer, remediations, remediationIdOf, requestsAudited } = scene();
  await handler.handle(turn, sink);
  const id = remediationIdOf(sent[0]);
  if (!id) throw new Error('expected a confirmation card with a remediation id');
  await new Promise((resolve) => setImmediate(resolve));
  expect(await remediations.get(id)).toBeUndefined();
  expect(await requestsAudited()).toBe(0);

  answer();
  await handler.drain();
  expect(await remediations.get(id)).toMatchObject({ state: 'pending', cardActivityId: 'activity-1' });
  expect(await requestsAudited()).toBe(1);
});

it('drain waits for records whose turn has not answered yet', async () => {
  const { handler, turn, sink, sent, answer, remediations, remediationIdOf } = scene();
  await handler.handle(turn, sink);
  let drained = false;
  const draining = handler.drain().then(() => (drained = true));
  await new Promise((resolve) => setImmediate(resolve));
  expect(drained).toBe(false);
  answer();
  await draining;
  expect(await remediations.get(remediationIdOf(sent[0]) ?? '')).toBeDefined();
});
