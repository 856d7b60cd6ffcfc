import type { Actor } from '../domain/conversation';
import { noticeCard } from '../features/cards/remediation-cards';
import type { BotHandlers } from './teams-bot';

/** `act-as <name>` after the bot's @mention, if any. */
const ACT_AS = /^\s*(?:<at>[^<]*<\/at>\s*)?act-as\s+(\S+)\s*$/i;

/**
 * Local sandbox only: `act-as <name>` makes the commands and clicks of the person who typed it count as another
 * simulated person's until `act-as me`, so the one person signed in to the Agents Playground (which has no user
 * switcher) can request as Reggie and approve as themselves, and see four-eyes at work. Only the sandbox passes
 * people (AppOverrides.actAs); a deployed bot has none and never builds this.
 */
export class ActingAs {
  /** Who each real person (Teams user id) acts as now. */
  private readonly personas = new Map<string, Actor>();

  constructor(private readonly people: ReadonlyMap<string, Actor>) {}

  commands(inner: BotHandlers['commands']): BotHandlers['commands'] {
    return {
      handle: async (turn, reply) => {
        const m = ACT_AS.exec(turn.rawText);
        if (!m) return inner.handle({ ...turn, from: this.as(turn.from) }, reply);
        const said = this.choose(turn.from, (m[1] ?? '').toLowerCase());
        await reply.sendCard(noticeCard({ title: said.title, text: said.text }), said.title);
      },
    };
  }

  cardActions(inner: BotHandlers['cardActions']): BotHandlers['cardActions'] {
    return { handle: (turn) => inner.handle({ ...turn, from: this.as(turn.from) }) };
  }

  private as(from: Actor): Actor {
    return this.personas.get(from.id) ?? from;
  }

  private choose(from: Actor, name: string): { title: string; text: string } {
    if (name === 'me') {
      this.personas.delete(from.id);
      return { title: `You act as ${from.name} again`, text: 'Your commands and clicks are your own.' };
    }
    const person = this.people.get(name);
    if (!person) {
      const names = [...this.people.keys(), 'me'].join(', ');
      return { title: `No simulated person "${name}"`, text: `act-as takes one of: ${names}.` };
    }
    this.personas.set(from.id, person);
    return {
      title: `You act as ${person.name}`,
      text: `Sandbox only: your commands and clicks count as ${person.name}'s until you type act-as me.`,
    };
  }
}
