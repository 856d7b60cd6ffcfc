import { usageOf, type CommandSpec, type RemediationAction } from '../../domain/actions/action';
import type { ActionRegistry } from '../../domain/actions/registry';
import type { HelpCardData, HelpCommandCardData } from './card-data';
import { renderCard, type AdaptiveCardJson } from './render';

/** The command list, generated from the registry so help never drifts from what the parser accepts. */
export function helpCardData(registry: ActionRegistry, builtIns: readonly CommandSpec[] = []): HelpCardData {
  return {
    intro:
      'Mention me with a command. I look the target up, show what will change, and run it only after someone approves, with their own Entra role.',
    commands: [
      ...registry.actions.map((a) => ({ usage: usageOf(a), summary: a.summary })),
      ...builtIns.map((c) => ({ usage: usageOf(c), summary: c.summary })),
      { usage: 'help [<command>]', summary: 'This list, or the details of one command' },
    ],
  };
}

/** The details of one command. */
export function helpCommandCardData(action: CommandSpec): HelpCommandCardData {
  const remediation = 'roles' in action ? (action as RemediationAction) : undefined;
  return {
    name: action.name,
    usage: usageOf(action),
    description: action.description,
    params: [...action.syntax.positional, ...action.syntax.flags].map((p) => ({
      title: action.syntax.flags.includes(p) ? `--${p.name}` : `<${p.placeholder}>`,
      value: `${p.description}${p.required ? '' : ' (optional)'}`,
    })),
    examples: action.examples,
    aliases: action.aliases.join(', ') || '—',
    roles: remediation ? remediation.roles.join(', ') : 'none: this command changes nothing in Entra',
    permission: remediation ? `${remediation.permission} (delegated, ${remediation.graphVersion})` : '—',
  };
}

/** Renders the general help card. */
export function helpCard(registry: ActionRegistry, builtIns: readonly CommandSpec[] = []): AdaptiveCardJson {
  return renderCard('help', helpCardData(registry, builtIns));
}

/** Renders one command's help card. */
export function helpCommandCard(action: CommandSpec): AdaptiveCardJson {
  return renderCard('help-command', helpCommandCardData(action));
}
