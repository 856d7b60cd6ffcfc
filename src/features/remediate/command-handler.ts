import type { ActionArgs, CommandSpec } from '../../domain/actions/action';
import type { ActionRegistry } from '../../domain/actions/registry';
import { helpCard, helpCommandCard } from '../cards/help-cards';
import { noticeCard } from '../cards/remediation-cards';
import type { CommandTurn, ReplySink } from '../shared/turns';
import { rememberCardMessage } from './post-card';
import type { RemediationStore } from '../../domain/remediation/remediation-store';
import type { TargetResolver } from './target-resolver';
import { errorMessage, type Logger } from '../../infra/logger';
import type { BuiltInCommand } from '../commands/built-in-command';
import { parseCommand } from '../commands/command-parser';
import { extractCommandText } from '../commands/text-cleanup';

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
  constructor(
    private readonly registry: ActionRegistry,
    private readonly resolver: TargetResolver,
    private readonly remediations: RemediationStore,
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
            run: parsed.suggestedCommand
              ? { title: `Run ${parsed.suggestedCommand}`, command: parsed.suggestedCommand }
              : null,
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
        let resolved;
        try {
          resolved = await this.resolver.resolve(parsed.action, parsed.args, {
            from: turn.from,
            address: turn.address,
            command,
            correlationId: turn.correlationId,
          });
        } catch (err) {
          log.error({ err: errorMessage(err) }, 'the request could not be saved; no card was sent');
          await sink.sendCard(notSavedCard(turn.correlationId), 'Not saved');
          return;
        }
        const activityId = await sink.sendCard(resolved.card, resolved.summary);
        log.info(
          { remediationId: resolved.remediation?.id, action: parsed.action.name },
          'confirmation sent',
        );
        if (resolved.remediation)
          await rememberCardMessage(this.remediations, resolved.remediation.id, activityId, log);
        return;
      }
    }
  }
}

/** Said instead of a confirmation whose request could not be written: there is nothing to approve. */
function notSavedCard(correlationId: string) {
  return noticeCard({
    title: 'Not saved',
    text: 'This request could not be saved, so there is nothing to approve and nothing was run.',
    hint: `Send the command again in a minute; if this keeps happening, check the bot storage. Correlation id ${correlationId}.`,
    color: 'Attention',
  });
}
