import pino from 'pino';
import { postResolvedCard } from '../../src/features/remediate/post-card';
import type { Remediation } from '../../src/domain/remediation/remediation';
import { RemediationStore } from '../../src/domain/remediation/remediation-store';
import type { AdaptiveCardJson } from '../../src/features/cards/render';
import type { Messenger } from '../../src/features/shared/turns';
import { MemoryStateStore } from '../../src/infra/storage/memory-state-store';
import { channelAddress } from './channel-address';

/**
 * A card posted as a new message outside a turn (a second group of Remediate all, Retry failed) goes out after
 * its request is written; the message's id is then recorded so expiry and the outcome can update it. Recording
 * the id is best effort: the card works without it.
 */
const HOME = channelAddress();
const CARD: AdaptiveCardJson = {
  type: 'AdaptiveCard',
  body: [{ type: 'TextBlock', text: 'Approval needed' }],
};
const REMEDIATION = {
  id: 'r'.repeat(22),
  state: 'pending',
  address: HOME,
} as unknown as Remediation;

/** A store whose updates fail while `failing` is set. */
class FlakyStore extends MemoryStateStore {
  failing = false;
  override async update<T>(key: string, value: T, eTag: string): Promise<string> {
    if (this.failing) throw new Error('EIO');
    return super.update(key, value, eTag);
  }
}

interface Case {
  readonly what: string;
  readonly postedId: string | undefined;
  readonly updateFails: boolean;
  readonly recorded: string | undefined;
  readonly warnings: string[];
}

const CASES: Case[] = [
  {
    what: 'records the posted message id',
    postedId: 'activity-7',
    updateFails: false,
    recorded: 'activity-7',
    warnings: [],
  },
  {
    what: 'records nothing when the connector gave no id',
    postedId: undefined,
    updateFails: false,
    recorded: undefined,
    warnings: [],
  },
  {
    what: 'logs, and does not fail, when the id cannot be recorded',
    postedId: 'activity-7',
    updateFails: true,
    recorded: undefined,
    warnings: ['the message id of a confirmation card was not recorded'],
  },
];

it.each(CASES)('$what', async (c) => {
  const state = new FlakyStore();
  const store = new RemediationStore(state);
  await store.create(REMEDIATION);
  state.failing = c.updateFails;
  const lines: Array<{ msg: string; level: number }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const posted: AdaptiveCardJson[] = [];
  const messenger = {
    postCard: async (_address: unknown, card: AdaptiveCardJson) => {
      posted.push(card);
      return c.postedId;
    },
  } as unknown as Messenger;
  await postResolvedCard(messenger, store, HOME, { card: CARD, summary: 's', remediation: REMEDIATION }, log);
  expect(posted).toEqual([CARD]);
  expect((await store.get(REMEDIATION.id))?.cardActivityId).toBe(c.recorded);
  expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toEqual(c.warnings);
});

it('rejects when the card cannot be posted, leaving the request pending for expiry', async () => {
  const store = new RemediationStore(new MemoryStateStore());
  await store.create(REMEDIATION);
  const messenger = {
    postCard: async () => {
      throw new Error('connector down');
    },
  } as unknown as Messenger;
  await expect(
    postResolvedCard(
      messenger,
      store,
      HOME,
      { card: CARD, summary: 's', remediation: REMEDIATION },
      pino({ level: 'silent' }),
    ),
  ).rejects.toThrow('connector down');
  expect(await store.get(REMEDIATION.id)).toMatchObject({ state: 'pending' });
  expect((await store.get(REMEDIATION.id))?.cardActivityId).toBeUndefined();
});
