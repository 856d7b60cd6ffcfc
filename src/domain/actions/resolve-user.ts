import { describeUser, findUsers, type DirectoryUser } from '../../infra/graph/directory-lookup';
import type { GraphApi } from '../../infra/graph/graph-api';
import type { ActionArgs } from './action';
import { argumentValue, chooseOne, type ArgumentSlot, type Choice } from './choose-one';

/**
 * Looks up the user named by one argument. Several matches become candidates whose args carry the
 * object id in place of the name, so picking one re-runs the same command unambiguously.
 */
export async function lookupUser(
  graph: GraphApi,
  args: ActionArgs,
  slot: ArgumentSlot,
): Promise<Choice<DirectoryUser>> {
  const query = argumentValue(args, slot);
  if (!query) return { kind: 'not-found', message: 'No user was named.' };
  return chooseOne(await findUsers(graph, query), args, slot, {
    notFound: `No user matches "${query}". Check the spelling, or use the user's object id or UPN.`,
    ambiguous: (n) => `${n} users match "${query}". Which one did you mean?`,
    label: describeUser,
    detail: (u) => u.id,
    id: (u) => u.id,
  });
}

/** The facts every user-targeted card shows first. */
export function userFacts(user: DirectoryUser) {
  return [
    { title: 'User', value: user.displayName ?? '(no display name)' },
    { title: 'UPN', value: user.userPrincipalName ?? '—' },
    { title: 'Object id', value: user.id },
  ];
}
