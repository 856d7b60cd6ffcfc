import {
  usageOf,
  type ActionArgs,
  type CommandSpec,
  type RemediationAction,
} from '../../domain/actions/action';
import type { ActionRegistry } from '../../domain/actions/registry';
import { closest } from './did-you-mean';
import { tokenizeWords, TokenizeError, type Word } from './tokenizer';

/** The verb that lists every command. */
export const HELP_WORDS = ['help', '?'] as const;

/** Longest command the parser reads; longer text is refused before any work. */
export const MAX_COMMAND_LENGTH = 1000;

/** What a line of text asks for. */
export type ParsedCommand =
  | { readonly kind: 'empty' }
  | { readonly kind: 'help'; readonly topic?: CommandSpec; readonly unknownTopic?: string }
  | { readonly kind: 'action'; readonly action: RemediationAction; readonly args: ActionArgs }
  | { readonly kind: 'builtin'; readonly command: CommandSpec; readonly args: ActionArgs }
  | {
      readonly kind: 'error';
      readonly message: string;
      readonly usage?: string;
      readonly suggestion?: string;
      /** The text as typed with the suggested command in place of the unknown one: the same arguments. */
      readonly suggestedCommand?: string;
    };

/**
 * Parses cleaned command text against the registry: case-insensitive verbs and aliases, quoted values,
 * `--flag value` and `--flag=value`, and a usage line for anything missing or extra.
 */
export function parseCommand(
  text: string,
  registry: ActionRegistry,
  builtIns: readonly CommandSpec[] = [],
): ParsedCommand {
  if (text.trim() === '') return { kind: 'empty' };
  if (text.length > MAX_COMMAND_LENGTH) {
    return {
      kind: 'error',
      message: `That message is too long for a command (over ${MAX_COMMAND_LENGTH} characters).`,
    };
  }
  let words: Word[];
  try {
    words = tokenizeWords(text);
  } catch (err) {
    if (err instanceof TokenizeError) return { kind: 'error', message: err.message };
    throw err;
  }
  const [first, ...rest] = words;
  const verb = first?.text ?? '';
  if (verb === '') return { kind: 'empty' };
  const findBuiltIn = (word: string) =>
    builtIns.find((c) => [c.name, ...c.aliases].some((w) => w.toLowerCase() === word.toLowerCase()));
  if ((HELP_WORDS as readonly string[]).includes(verb.toLowerCase())) {
    const topicWord = rest[0]?.text;
    if (!topicWord) return { kind: 'help' };
    const topic = registry.find(topicWord) ?? findBuiltIn(topicWord);
    return topic ? { kind: 'help', topic } : { kind: 'help', unknownTopic: topicWord };
  }
  const builtIn = findBuiltIn(verb);
  if (builtIn) {
    const bound = bindArguments(builtIn, rest);
    return bound.kind === 'bound' ? { kind: 'builtin', command: builtIn, args: bound.args } : bound;
  }
  const action = registry.find(verb);
  if (!action) {
    const words = [...registry.words(), ...builtIns.flatMap((c) => [c.name, ...c.aliases]), 'help'];
    const suggestion = closest(verb, words);
    return {
      kind: 'error',
      message: `"${truncate(verb, 40)}" is not a command I know.`,
      ...(suggestion ? { suggestion, suggestedCommand: withVerb(text, verb, suggestion, rest) } : {}),
    };
  }
  const bound = bindArguments(action, rest);
  return bound.kind === 'bound' ? { kind: 'action', action, args: bound.args } : bound;
}

/**
 * The typed text with its first word replaced, the rest left exactly as typed (quotes and all); should the
 * first word not start the text as typed, the rest is written back from its words.
 */
function withVerb(text: string, verb: string, replacement: string, rest: readonly Word[]): string {
  const typed = text.trimStart();
  const tail = typed.startsWith(verb)
    ? typed.slice(verb.length).trim()
    : rest
        .map((w) => (/[\s"']/.test(w.text) || w.quoted ? `"${w.text.replace(/"/g, "'")}"` : w.text))
        .join(' ');
  return tail ? `${replacement} ${tail}` : replacement;
}

type Binding =
  { readonly kind: 'bound'; readonly args: ActionArgs } | Extract<ParsedCommand, { kind: 'error' }>;

function usageError(action: CommandSpec, message: string): Extract<ParsedCommand, { kind: 'error' }> {
  return { kind: 'error', message, usage: usageOf(action) };
}

function bindArguments(action: CommandSpec, words: readonly Word[]): Binding {
  const flags: Record<string, string> = {};
  const values: string[] = [];
  const known = action.syntax.flags.map((f) => f.name);
  for (let i = 0; i < words.length; i++) {
    const { text: word, quoted } = words[i] ?? { text: '', quoted: false };
    if (!quoted && word.startsWith('--') && word.length > 2) {
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
      const next = eq > 0 ? undefined : words[++i];
      const value = eq > 0 ? word.slice(eq + 1) : next?.text;
      if (value === undefined || value === '' || (next && !next.quoted && value.startsWith('--'))) {
        return usageError(action, `--${name} needs a value.`);
      }
      flags[name] = value;
      continue;
    }
    values.push(word);
  }
  const positional: Record<string, string> = {};
  const lists: Record<string, string[]> = {};
  const specs = action.syntax.positional;
  const last = specs[specs.length - 1];
  if (last?.variadic && values.length >= specs.length) {
    lists[last.name] = values.splice(specs.length - 1);
    if (lists[last.name]?.[0] !== undefined) positional[last.name] = lists[last.name]?.[0] ?? '';
  }
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
  const args: ActionArgs =
    Object.keys(lists).length > 0 ? { positional, flags, lists } : { positional, flags };
  const problem = action.syntax.check?.(args);
  if (problem) return usageError(action, problem);
  return { kind: 'bound', args };
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
