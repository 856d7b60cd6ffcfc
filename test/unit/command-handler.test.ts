import type { AdaptiveCardJson } from '../../src/features/cards/render';
import type { CommandTurn, ReplySink } from '../../src/features/shared/turns';
import { CommandHandler } from '../../src/features/remediate/command-handler';
import { createLogger } from '../../src/infra/logger';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { cardText } from '../integration/card-helpers';
import { channelAddress } from './channel-address';
import { REGGIE, resolverScene } from './resolver-scene';

/**
 * A command's records (the pending remediation, the audit entry) are written before its confirmation card
 * goes out, so a click on the card always finds its request; the sent message's id is recorded after, for
 * the updates that come later (expiry, the outcome). When the records cannot be written no card is sent.
 */
const NOW = new Date('2026-11-23T12:00:00Z');

/** A memory store whose writes fail while `failing` is set, as a full disk or a lost Blob account would. */
class FlakyStore extends MemoryStateStore {
  failing = false;
  override async create<T>(key: string, value: T): Promise<string> {
    if (this.failing) throw new Error('EIO: the disk went away');
    return super.create(key, value);
  }
}

function scene() {
  const store = new FlakyStore();
  const { registry, remediations, resolver, requestsAudited } = resolverScene(NOW, store);
  const handler = new CommandHandler(registry, resolver, remediations, createLogger('silent'));
  const turn: CommandTurn = {
    rawText: 'retry-provisioning alice@contoso.com',
    mentions: [],
    botId: '28:bot',
    from: { id: '29:reggie', aadObjectId: REGGIE, name: 'Reggie' },
    address: channelAddress(),
    origin: { tenantId: 't', teamId: undefined, channelId: undefined },
    correlationId: 'corr-1',
  };
  const remediationIdOf = (card: AdaptiveCardJson | undefined) =>
    /"rid":"([^"]+)"/.exec(JSON.stringify(card))?.[1];
  /** What was stored for each card at the moment it was sent. */
  const sent: Array<{ card: AdaptiveCardJson; storedState: string | undefined; audited: number }> = [];
  const sink: ReplySink = {
    sendCard: async (card) => {
      const stored = await remediations.get(remediationIdOf(card) ?? '');
      sent.push({ card, storedState: stored?.state, audited: await requestsAudited() });
      return 'activity-1';
    },
  };
  return { handler, turn, sink, sent, store, remediations, remediationIdOf };
}

it('writes the pending request and its audit entry before the card goes out, then records the message', async () => {
  const { handler, turn, sink, sent, remediations, remediationIdOf } = scene();
  await handler.handle(turn, sink);
  expect(sent).toHaveLength(1);
  expect(sent[0]).toMatchObject({ storedState: 'pending', audited: 1 });
  const id = remediationIdOf(sent[0]?.card);
  expect(await remediations.get(id ?? '')).toMatchObject({ state: 'pending', cardActivityId: 'activity-1' });
});

it('sends no confirmation when its request cannot be written, and says so with the correlation id', async () => {
  const { handler, turn, sink, sent, store, remediationIdOf } = scene();
  store.failing = true;
  await handler.handle(turn, sink);
  expect(sent).toHaveLength(1);
  expect(remediationIdOf(sent[0]?.card)).toBeUndefined();
  expect(cardText(sent[0]?.card ?? {})).toMatch(/^Not saved\n.*nothing to approve and nothing was run\./);
  expect(cardText(sent[0]?.card ?? {})).toContain('corr-1');
});
