import { describeUser, findUsers, type DirectoryUser } from '../graph/directory-lookup';
import type { GraphApi } from '../graph/graph-api';
import type { ActionArgs, Resolution } from './action';

/** A user argument either names exactly one user, or ends the resolution with a pick list or a message. */
export type UserLookup =
  { readonly kind: 'user'; readonly user: DirectoryUser } | Exclude<Resolution<never>, { kind: 'resolved' }>;

/**
 * Looks up the user named by one argument. Several matches become candidates whose args carry the
 * object id in place of the name, so picking one re-runs the same command unambiguously.
 */
export async function lookupUser(
  graph: GraphApi,
  args: ActionArgs,
  where: { readonly positional?: string; readonly flag?: string },
): Promise<UserLookup> {
  const query = where.flag
    ? args.flags[where.flag]
    : where.positional
      ? args.positional[where.positional]
      : undefined;
  if (!query) return { kind: 'not-found', message: 'No user was named.' };
  const users = await findUsers(graph, query);
  if (users.length === 0) {
    return {
      kind: 'not-found',
      message: `No user matches "${query}". Check the spelling, or use the user's object id or UPN.`,
    };
  }
  const [only] = users;
  if (users.length === 1 && only) return { kind: 'user', user: only };
  return {
    kind: 'ambiguous',
    prompt: `${users.length} users match "${query}". Which one did you mean?`,
    candidates: users.map((user) => ({
      label: describeUser(user),
      detail: user.id,
      args: where.flag
        ? { positional: args.positional, flags: { ...args.flags, [where.flag]: user.id } }
        : { positional: { ...args.positional, [where.positional ?? '']: user.id }, flags: args.flags },
    })),
  };
}

/** The facts every user-targeted card shows first. */
export function userFacts(user: DirectoryUser) {
  return [
    { title: 'User', value: user.displayName ?? '(no display name)' },
    { title: 'UPN', value: user.userPrincipalName ?? '—' },
    { title: 'Object id', value: user.id },
  ];
}
