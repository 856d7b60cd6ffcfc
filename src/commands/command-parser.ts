import { usageOf, type ActionArgs, type RemediationAction } from '../actions/action';
import type { ActionRegistry } from '../actions/registry';
import { closest } from './did-you-mean';
import { tokenize, TokenizeError } from './tokenizer';

/** Commands the bot answers itself, beside the remediations. */
export const BUILT_IN_COMMANDS = ['help'] as const;

/** Longest command the parser reads; longer text is refused before any work. */
export const MAX_COMMAND_LENGTH = 1000;

/** What a line of text asks for. */
export type ParsedCommand =
  | { readonly kind: 'empty' }
  | { readonly kind: 'help'; readonly topic?: RemediationAction; readonly unknownTopic?: string }
  | { readonly kind: 'action'; readonly action: RemediationAction; readonly args: ActionArgs }
  | {
      readonly kind: 'error';
      readonly message: string;
      readonly usage?: string;
      readonly suggestion?: string;
    };

function usageError(action: RemediationAction, message: string): ParsedCommand {
  return { kind: 'error', message, usage: usageOf(action) };
}

/**
 * Parses cleaned command text against the registry: case-insensitive verbs and aliases, quoted values,
 * `--flag value` and `--flag=value`, and a usage line for anything missing or extra.
 */
export function parseCommand(text: string, registry: ActionRegistry): ParsedCommand {
  if (text.trim() === '') return { kind: 'empty' };
  if (text.length > MAX_COMMAND_LENGTH) {
    return {
      kind: 'error',
      message: `That message is too long for a command (over ${MAX_COMMAND_LENGTH} characters).`,
    };
  }
  let words: string[];
  try {
    words = tokenize(text);
  } catch (err) {
    if (err instanceof TokenizeError) return { kind: 'error', message: err.message };
    throw err;
  }
  const [verb = '', ...rest] = words;
  if (verb === '') return { kind: 'empty' };
  if (verb.toLowerCase() === 'help' || verb === '?') {
    const topicWord = rest[0];
    if (!topicWord) return { kind: 'help' };
    const topic = registry.find(topicWord);
    return topic ? { kind: 'help', topic } : { kind: 'help', unknownTopic: topicWord };
  }
  const action = registry.find(verb);
  if (!action) {
    const suggestion = closest(verb, [...registry.words(), ...BUILT_IN_COMMANDS]);
    return {
      kind: 'error',
      message: `"${truncate(verb, 40)}" is not a command I know.`,
      ...(suggestion ? { suggestion } : {}),
    };
  }
  return bindArguments(action, rest);
}

function bindArguments(action: RemediationAction, words: readonly string[]): ParsedCommand {
  const flags: Record<string, string> = {};
  const values: string[] = [];
  const known = action.syntax.flags.map((f) => f.name);
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word.startsWith('--') && word.length > 2) {
      const eq = word.indexOf('=');
      const name = (eq > 0 ? word.slice(2, eq) : word.slice(2)).toLowerCase();
      if (!known.includes(name)) {
        const guess = closest(name, known);
        return usageError(
          action,
          `${action.name} has no option --${truncate(name, 30)}.${guess ? ` Did you mean --${guess}?` : ''}`,
        );
      }
      if (name in flags) return usageError(action, `--${name} is given twice.`);
      const value = eq > 0 ? word.slice(eq + 1) : words[++i];
      if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
        return usageError(action, `--${name} needs a value.`);
      }
      flags[name] = value;
      continue;
    }
    values.push(word);
  }
  const positional: Record<string, string> = {};
  const specs = action.syntax.positional;
  if (values.length > specs.length) {
    return usageError(
      action,
      `Too many values: "${truncate(values.slice(specs.length).join(' '), 60)}" is extra.`,
    );
  }
  specs.forEach((spec, index) => {
    const value = values[index];
    if (value !== undefined) positional[spec.name] = value;
  });
  for (const spec of specs) {
    if (spec.required && !(spec.name in positional))
      return usageError(action, `The ${spec.placeholder} is missing.`);
  }
  for (const spec of action.syntax.flags) {
    if (spec.required && !(spec.name in flags)) return usageError(action, `--${spec.name} is missing.`);
  }
  const args: ActionArgs = { positional, flags };
  const problem = action.syntax.check?.(args);
  if (problem) return usageError(action, problem);
  return { kind: 'action', action, args };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
