import { matchCount, unlistedMatches } from '../../infra/graph/directory-lookup';
import type { ActionArgs, ParamSpec, Resolution } from './action';

/** Exactly one match, or the resolution that ends the lookup: a pick list or a not-found message. */
export type Choice<T> =
  { readonly kind: 'one'; readonly item: T } | Exclude<Resolution<never>, { kind: 'resolved' }>;

/** Where a command's argument sits, so a pick can put the chosen object's id in its place. */
export type ArgumentSlot = { readonly positional: string } | { readonly flag: string };

/** The value of an argument slot. */
export function argumentValue(args: ActionArgs, slot: ArgumentSlot): string | undefined {
  return 'flag' in slot ? args.flags[slot.flag] : args.positional[slot.positional];
}

/** The same arguments with one slot replaced, e.g. a display name by the chosen object id. */
export function withArgument(args: ActionArgs, slot: ArgumentSlot, value: string): ActionArgs {
  return 'flag' in slot
    ? { positional: args.positional, flags: { ...args.flags, [slot.flag]: value } }
    : { positional: { ...args.positional, [slot.positional]: value }, flags: args.flags };
}

/** How to word and label the matches of one kind of object. */
export interface ChoiceWording<T> {
  readonly notFound: string;
  /** The question, given how many match: "3", or "More than 10" past what a pick list offers. */
  readonly ambiguous: (count: string) => string;
  readonly label: (item: T) => string;
  readonly detail: (item: T) => string;
  readonly id: (item: T) => string;
}

/**
 * Turns the matches of a lookup into one object, or into a pick list whose entries re-run the command
 * with the object's id in the slot the name came from. The bot never guesses between matches.
 */
export function chooseOne<T>(
  items: readonly T[],
  args: ActionArgs,
  slot: ArgumentSlot,
  words: ChoiceWording<T>,
): Choice<T> {
  const [first] = items;
  if (!first) return { kind: 'not-found', message: words.notFound };
  if (items.length === 1) return { kind: 'one', item: first };
  return {
    kind: 'ambiguous',
    prompt: `${words.ambiguous(matchCount(items.length))}${unlistedMatches(items.length)}`,
    candidates: items.map((item) => ({
      label: words.label(item),
      detail: words.detail(item),
      args: withArgument(args, slot, words.id(item)),
    })),
  };
}

/** The `<user>` argument most remediations take. */
export const USER_PARAM: ParamSpec = {
  name: 'user',
  placeholder: 'user',
  required: true,
  description: 'Object id, UPN or display name',
};

/** `<user>…`: one user, or several for one bulk remediation under one approval. */
export const USERS_PARAM: ParamSpec = {
  ...USER_PARAM,
  required: false,
  variadic: true,
  description: 'Object id, UPN or display name; several make one bulk remediation',
};

/** `--group <group>`: instead of users, the members of a group that have the failure. */
export const GROUP_FLAG: ParamSpec = {
  name: 'group',
  placeholder: 'group',
  required: false,
  description: "Instead of users: the group's members with this failure (object id or display name)",
};

/** The rule of commands that take users or a group: one of the two, not both. */
export function usersOrGroup(args: ActionArgs): string | undefined {
  const users = args.lists?.['user'] ?? (args.positional['user'] ? [args.positional['user']] : []);
  const group = args.flags['group'];
  if (users.length === 0 && group === undefined) {
    return 'The user is missing: give one or more users (object id or UPN), or --group <group>.';
  }
  if (users.length > 0 && group !== undefined) return 'Give users or --group <group>, not both.';
  return undefined;
}
