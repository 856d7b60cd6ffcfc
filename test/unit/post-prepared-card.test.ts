import pino from 'pino';
import { postPreparedCard } from '../../src/approvals/post-prepared-card';
import type { PreparedCard } from '../../src/approvals/target-resolver';
import type { AdaptiveCardJson } from '../../src/cards/render';
import type { Messenger } from '../../src/chat/chat-types';
import { cardText } from '../integration/card-helpers';
import { channelAddress } from './channel-address';

/**
 * A card posted as a new message outside a turn (a second group of Remediate all, Retry failed) is saved once,
 * after it is out, with its message id; when that save fails the card must not stay approvable.
 */
const HOME = channelAddress();
const CARD: AdaptiveCardJson = {
  type: 'AdaptiveCard',
  body: [{ type: 'TextBlock', text: 'Approval needed' }],
};

interface Case {
  readonly what: string;
  readonly postedId: string | undefined;
  readonly saveFails: boolean;
  readonly updateFails: boolean;
  readonly saved: boolean;
  readonly replaced: boolean;
  readonly errors: string[];
}

const CASES: Case[] = [
  {
    what: 'saved with the posted message id',
    postedId: 'activity-7',
    saveFails: false,
    updateFails: false,
    saved: true,
    replaced: false,
    errors: [],
  },
  {
    what: 'saved without an id when the connector gave none',
    postedId: undefined,
    saveFails: false,
    updateFails: false,
    saved: true,
    replaced: false,
    errors: [],
  },
  {
    what: 'not saved: the posted card is replaced',
    postedId: 'activity-7',
    saveFails: true,
    updateFails: false,
    saved: false,
    replaced: true,
    errors: ['the request could not be saved; its confirmation card is withdrawn'],
  },
  {
    what: 'not saved and no message id: nothing to replace',
    postedId: undefined,
    saveFails: true,
    updateFails: false,
    saved: false,
    replaced: false,
    errors: ['the request could not be saved; its confirmation card is withdrawn'],
  },
  {
    what: 'not saved and the replacement fails too: both are logged',
    postedId: 'activity-7',
    saveFails: true,
    updateFails: true,
    saved: false,
    replaced: false,
    errors: [
      'the request could not be saved; its confirmation card is withdrawn',
      'the unsaved confirmation card could not be withdrawn',
    ],
  },
];

it.each(CASES)('$what', async (c) => {
  const events: string[] = [];
  const updates: Array<{ activityId: string; card: AdaptiveCardJson }> = [];
  const messenger: Messenger = {
    postCard: async (address, card) => {
      expect(address).toBe(HOME);
      expect(card).toBe(CARD);
      events.push('post');
      return c.postedId;
    },
    updateCard: async (_address, activityId, card) => {
      if (c.updateFails) throw new Error('connector unavailable');
      updates.push({ activityId, card });
    },
  };
  const saves: Array<string | undefined> = [];
  const prepared: PreparedCard = {
    card: CARD,
    summary: 'Retry service provisioning for 2 users',
    save: async (id) => {
      events.push('save');
      saves.push(id);
      if (c.saveFails) throw new Error('ENOSPC: no space left on device');
    },
  };
  const lines: Array<{ level: number; msg: string }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });

  expect(await postPreparedCard(messenger, HOME, prepared, log)).toBe(c.saved);
  expect(events).toEqual(['post', 'save']);
  expect(saves).toEqual([c.postedId]);
  expect(updates.map((u) => u.activityId)).toEqual(c.replaced ? [c.postedId] : []);
  for (const u of updates)
    expect(cardText(u.card)).toMatch(/^Not saved\n.*cannot be approved\. Nothing was run\./);
  expect(lines.filter((l) => l.level >= 50).map((l) => l.msg)).toEqual(c.errors);
});
