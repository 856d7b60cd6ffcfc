import type { GroupExpansion } from '../actions/action';
import { isMissing, PICK_LIST_SIZE, type DirectoryUser } from '../../infra/graph/directory-lookup';
import type { GraphApi, GraphPage, PagingGraphApi } from '../../infra/graph/graph-api';
import { eq, isGuid, segment } from '../../infra/graph/odata';

/** A group as `--group` finds it. */
export interface GroupObject {
  readonly id: string;
  readonly displayName?: string;
}

/** The groups `--group <query>` names: the one with that object id, or every group of that exact name. */
export async function findGroups(graph: GraphApi, query: string): Promise<GroupObject[]> {
  if (!isGuid(query)) {
    return graph.list<GroupObject>('/groups', {
      query: { $filter: eq('displayName', query), $select: 'id,displayName' },
      maxItems: PICK_LIST_SIZE + 1,
    });
  }
  try {
    return [
      await graph.get<GroupObject>(`/groups/${segment(query)}`, { query: { $select: 'id,displayName' } }),
    ];
  } catch (err) {
    if (isMissing(err)) return [];
    throw err;
  }
}

function pagingOf(graph: GraphApi): PagingGraphApi {
  if (typeof (graph as Partial<PagingGraphApi>).page !== 'function') {
    throw new Error('--group needs a Graph client that reads one page at a time');
  }
  return graph as PagingGraphApi;
}

/**
 * Reads a group's members where the action says Graph lists them, one page at a time, handing each member to
 * `visit` and letting the page go before the next is read, so a 100,000-member group is never held whole.
 * Answers how many members were read.
 */
export async function eachMember(
  expansion: Pick<GroupExpansion<unknown>, 'members'>,
  groupId: string,
  graph: GraphApi,
  visit: (member: DirectoryUser) => void,
): Promise<number> {
  const pager = pagingOf(graph);
  const { path, select, advanced, top } = expansion.members(groupId);
  const query = { $select: select, ...(top ? { $top: String(top) } : {}) };
  let read = 0;
  let next: string | undefined = path;
  let first = true;
  while (next !== undefined) {
    const page: GraphPage<DirectoryUser> = await pager.page<DirectoryUser>(next, {
      advanced: advanced ?? false,
      // A nextLink carries the query already; only the headers go again.
      ...(first ? { query } : {}),
    });
    first = false;
    for (const member of page.value) {
      read++;
      visit(member);
    }
    next = page.nextLink;
  }
  return read;
}
