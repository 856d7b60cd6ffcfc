import type { ActionArgs, CommandSpec } from '../actions/action';
import { InFlight } from '../in-flight';
import type { ActionRegistry } from '../actions/registry';
import { helpCard, helpCommandCard } from '../cards/help-cards';
import { noticeCard } from '../cards/remediation-cards';
import type { CommandTurn, ReplySink } from '../chat/chat-types';
import { saveSentCard } from '../approvals/post-prepared-card';
import type { TargetResolver } from '../approvals/target-resolver';
import type { Logger } from '../logger';
import type { BuiltInCommand } from './built-in-command';
import { parseCommand } from './command-parser';
import { extractCommandText } from './text-cleanup';

/** Writes a command back in its canonical form, for cards and the audit trail. */
export function canonicalCommand(action: CommandSpec, args: ActionArgs): string {
  const quote = (v: string) => (/[\s"']/.test(v) ? `"${v.replace(/"/g, "'")}"` : v);
  const words = [action.name];
  for (const p of action.syntax.positional) {
    const value = args.positional[p.name];
    const values = p.variadic ? (args.lists?.[p.name] ?? []) : value !== undefined ? [value] : [];
    words.push(...values.map(quote));
  }
  for (const f of action.syntax.flags) {
    const value = args.flags[f.name];
    if (value !== undefined) words.push(`--${f.name}`, quote(value));
  }
  return words.join(' ');
}

/** Answers an @mention: help, a usage hint, or the confirmation card of a remediation. */
export class CommandHandler {
  /** Records still being written after their turn answered Teams. */
  private readonly pending = new InFlight();

  constructor(
    private readonly registry: ActionRegistry,
    private readonly resolver: TargetResolver,
    private readonly logger: Logger,
    private readonly builtIns: readonly BuiltInCommand[] = [],
    private readonly inScope: (turn: CommandTurn) => boolean = () => true,
  ) {}

  async handle(turn: CommandTurn, sink: ReplySink): Promise<void> {
    if (!this.inScope(turn)) {
      this.logger.info(
        { correlationId: turn.correlationId, origin: turn.origin },
        'message outside the policy scope; ignored',
      );
      return;
    }
    const text = extractCommandText(turn.rawText, turn.mentions, turn.botId);
    const parsed = parseCommand(text, this.registry, this.builtIns);
    const log = this.logger.child({ correlationId: turn.correlationId });
    log.info(
      { kind: parsed.kind, verb: parsed.kind === 'action' ? parsed.action.name : undefined },
      'command parsed',
    );
    switch (parsed.kind) {
      case 'empty':
        await sink.sendCard(helpCard(this.registry, this.builtIns), 'What I can do');
        return;
      case 'help':
        if (parsed.topic) await sink.sendCard(helpCommandCard(parsed.topic), `Help for ${parsed.topic.name}`);
        else if (parsed.unknownTopic) {
          await sink.sendCard(
            noticeCard({
              title: 'No such command',
              text: `There is no command "${parsed.unknownTopic.slice(0, 40)}".`,
              hint: 'Type help to see every command.',
              color: 'Warning',
            }),
            'No such command',
          );
        } else await sink.sendCard(helpCard(this.registry, this.builtIns), 'What I can do');
        return;
      case 'error':
        await sink.sendCard(
          noticeCard({
            title: "I couldn't read that command",
            text: parsed.message,
            usage: parsed.usage ? `Usage: ${parsed.usage}` : null,
            hint: parsed.suggestion
              ? `Did you mean ${parsed.suggestion}?`
              : 'Type help to see every command.',
            color: 'Warning',
          }),
          parsed.message,
        );
        return;
      case 'builtin': {
        const command = this.builtIns.find((c) => c.name === parsed.command.name);
        if (command) await command.run(parsed.args, turn, sink);
        return;
      }
      case 'action': {
        const command = canonicalCommand(parsed.action, parsed.args);
        const prepared = await this.resolver.prepare(parsed.action, parsed.args, {
          from: turn.from,
          address: turn.address,
          command,
          correlationId: turn.correlationId,
        });
        // The turn answers Teams once the card is out; its records are then written, once, with its id.
        const activityId = await sink.sendCard(prepared.card, prepared.summary);
        log.info(
          { remediationId: prepared.remediation?.id, action: parsed.action.name },
          'confirmation sent',
        );
        this.pending.track(
          sink.answered.then(() =>
            saveSentCard(
              prepared,
              activityId,
              (id, card, summary) => sink.replaceCard(id, card, summary),
              log,
            ),
          ),
        );
        return;
      }
    }
  }

  /** Resolves once the records of earlier turns are written (shutdown waits for it). */
  async drain(): Promise<void> {
    await this.pending.drain();
  }
}
