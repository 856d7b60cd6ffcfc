import type { ActionArgs, ParamSpec } from '../../domain/actions/action';
import { noticeCard } from '../cards/remediation-cards';
import type { CommandTurn, ReplySink } from '../shared/turns';
import type { ConversationDirectory } from './conversation-directory';
import { FAILURE_KINDS, kindLabel, kindNamed, type FailureKind } from '../../domain/actions/registry';
import type { BuiltInCommand } from '../commands/built-in-command';
import { closest } from '../commands/did-you-mean';
import type { ScanProgress } from '../../domain/failures/detector';

/** What the `subscriptions` answer says about the sources of notifications. */
export interface NotificationSettings {
  readonly monitorIntervalMs: number | undefined;
  readonly webhookEnabled: boolean;
  readonly digestThreshold: number;
}

/** The kinds named in a command (`all`, names, aliases, comma- or space-separated), or the first unknown word. */
export function parseKinds(
  words: readonly string[],
): { kinds: FailureKind[] } | { unknown: string; suggestion?: string } {
  const kinds = new Set<FailureKind>();
  for (const word of words.flatMap((w) => w.split(',')).map((w) => w.trim().toLowerCase())) {
    if (word === '') continue;
    if (word === 'all' || word === '*') {
      for (const k of FAILURE_KINDS) kinds.add(k);
      continue;
    }
    const kind = kindNamed(word);
    if (!kind) {
      const suggestion = closest(word, [...FAILURE_KINDS, 'all']);
      return suggestion ? { unknown: word, suggestion } : { unknown: word };
    }
    kinds.add(kind);
  }
  return { kinds: FAILURE_KINDS.filter((k) => kinds.has(k)) };
}

function listKinds(kinds: readonly FailureKind[]): string {
  return kinds.map((k) => `${k} (${kindLabel(k)})`).join(', ');
}

const KINDS_PARAM: ParamSpec = {
  name: 'kinds',
  placeholder: 'kinds',
  required: true,
  variadic: true,
  description: `all, or any of ${FAILURE_KINDS.join(', ')}`,
};

function describeSources(s: NotificationSettings): string {
  const monitor = s.monitorIntervalMs
    ? `The failure monitor checks the tenant every ${Math.round(s.monitorIntervalMs / 1000)} s.`
    : 'The failure monitor is off (MONITOR_INTERVAL is not set).';
  const webhook = s.webhookEnabled ? ' External monitors can post alerts to the webhook.' : '';
  return `${monitor}${webhook} More than ${s.digestThreshold} new failures at once arrive as one digest.`;
}

/** Scans that did not finish in their cycle, so the reader knows the picture is not complete yet. */
function describeBehind(behind: Readonly<Record<string, ScanProgress>>): string {
  const parts = Object.entries(behind).map(
    ([kind, b]) =>
      `${kind}: ${b.items} items read in ${b.pages} pages since ${b.startedAt.slice(0, 16).replace('T', ' ')} UTC so far`,
  );
  return parts.length > 0 ? ` Still reading (it goes on each cycle): ${parts.join('; ')}.` : '';
}

function unknownKindCard(result: { unknown: string; suggestion?: string }) {
  return noticeCard({
    title: 'Unknown failure kind',
    text: `"${result.unknown.slice(0, 40)}" is not a kind I watch.`,
    usage: `Kinds: all, ${FAILURE_KINDS.join(', ')}`,
    hint: result.suggestion ? `Did you mean ${result.suggestion}?` : null,
    color: 'Warning',
  });
}

function words(args: ActionArgs): readonly string[] {
  return args.lists?.['kinds'] ?? (args.positional['kinds'] ? [args.positional['kinds']] : []);
}

/**
 * `subscribe`, `unsubscribe` and `subscriptions`: which failure notifications a channel or chat receives.
 * They change nothing in Entra, so anyone in a conversation where the bot is installed may use them.
 */
export function subscriptionCommands(
  directory: ConversationDirectory,
  settings: NotificationSettings,
  mayChange: (turn: CommandTurn) => Promise<string | undefined> = async () => undefined,
  behind: () => Promise<Readonly<Record<string, ScanProgress>>> = async () => ({}),
): BuiltInCommand[] {
  /** Subscribing changes what a channel is told: only people the approval policy knows may do it. */
  const refused = async (turn: CommandTurn, sink: ReplySink) => {
    const why = await mayChange(turn);
    if (why)
      await sink.sendCard(noticeCard({ title: 'Not allowed', text: why, color: 'Warning' }), 'Not allowed');
    return why !== undefined;
  };
  const subscribe: BuiltInCommand = {
    name: 'subscribe',
    aliases: ['notify'],
    summary: 'Post a card here for each new provisioning failure of these kinds',
    description:
      'Subscribes this channel or chat to failure notifications: a card per new failure with a Remediate button, or a digest when many arrive at once.',
    examples: ['subscribe all', 'subscribe user-provisioning license', 'subscribe sync'],
    syntax: { positional: [KINDS_PARAM], flags: [] },
    async run(args: ActionArgs, turn: CommandTurn, sink: ReplySink) {
      if (await refused(turn, sink)) return;
      const parsed = parseKinds(words(args));
      if ('unknown' in parsed) {
        await sink.sendCard(unknownKindCard(parsed), 'Unknown failure kind');
        return;
      }
      if (parsed.kinds.length === 0) {
        await sink.sendCard(unknownKindCard({ unknown: '' }), 'No failure kind given');
        return;
      }
      const saved = await directory.subscribe(turn.address, parsed.kinds, turn.from.name);
      await sink.sendCard(
        noticeCard({
          title: 'Subscribed',
          text: `This conversation now receives new failures of: ${listKinds(saved.kinds)}.`,
          hint: describeSources(settings),
          color: 'Good',
        }),
        'Subscribed to failure notifications',
      );
    },
  };

  const unsubscribe: BuiltInCommand = {
    name: 'unsubscribe',
    aliases: [],
    summary: 'Stop failure notifications here (all of them, or some kinds)',
    description: 'Removes kinds from this conversation’s subscription; with no kinds, removes all of them.',
    examples: ['unsubscribe', 'unsubscribe cloudpc'],
    syntax: { positional: [{ ...KINDS_PARAM, required: false }], flags: [] },
    async run(args: ActionArgs, turn: CommandTurn, sink: ReplySink) {
      if (await refused(turn, sink)) return;
      const given = words(args);
      let remove: FailureKind[] | undefined;
      if (given.length > 0) {
        const parsed = parseKinds(given);
        if ('unknown' in parsed) {
          await sink.sendCard(unknownKindCard(parsed), 'Unknown failure kind');
          return;
        }
        remove = parsed.kinds;
      }
      const remaining = await directory.unsubscribe(turn.address.conversationId, remove);
      await sink.sendCard(
        noticeCard({
          title: 'Unsubscribed',
          text:
            remaining.length > 0
              ? `This conversation still receives: ${listKinds(remaining)}.`
              : 'This conversation receives no failure notifications any more.',
          color: 'Default',
        }),
        'Unsubscribed',
      );
    },
  };

  const subscriptions: BuiltInCommand = {
    name: 'subscriptions',
    aliases: ['subscription'],
    summary: 'Show which failure notifications this conversation receives',
    description:
      'Lists the failure kinds this channel or chat is subscribed to and where notifications come from.',
    examples: ['subscriptions'],
    syntax: { positional: [], flags: [] },
    async run(_args: ActionArgs, turn: CommandTurn, sink: ReplySink) {
      const current = await directory.subscription(turn.address.conversationId);
      await sink.sendCard(
        noticeCard({
          title: 'Failure notifications',
          text: current
            ? `This conversation receives new failures of: ${listKinds(current.kinds)}.`
            : 'This conversation is not subscribed. Type subscribe all, or subscribe with some of the kinds below.',
          usage: `Kinds: ${FAILURE_KINDS.join(', ')}`,
          hint: `${describeSources(settings)}${describeBehind(await behind())}`,
        }),
        'Failure notifications',
      );
    },
  };

  return [subscribe, unsubscribe, subscriptions];
}
