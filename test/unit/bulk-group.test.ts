import type { GroupExpansion, RemediationAction } from '../../src/domain/actions/action';
import { defaultRegistry } from '../../src/domain/actions/registry';
import { expandBulk, PROBLEMS_KEPT, type BulkResolution } from '../../src/domain/remediation/bulk-target';
import { ManualClock } from '../fakes/manual-clock';
import { ScriptedGraph } from './scripted-graph';

const registry = defaultRegistry(new ManualClock(Date.parse('2026-11-22T12:00:00Z')));
const retry = registry.find('retry-provisioning') as RemediationAction;
const GID = '61000000-0000-4000-8000-000000000001';
const MEMBERS = `/groups/${GID}/members/microsoft.graph.user`;
const NEXT = `https://graph.microsoft.com/v1.0${MEMBERS}?$skiptoken=p2`;

const member = (n: number, failing: boolean) => ({
  id: `m${n}`,
  displayName: `Member ${n}`,
  userPrincipalName: `m${n}@contoso.com`,
  serviceProvisioningErrors: failing ? [{ isResolved: false, serviceInstance: 'exchange' }] : [],
});

/** Two pages of members, `failing(n)` saying which of members 0…(first + second − 1) have an error. */
function twoPages(first: number, second: number, failing: (n: number) => boolean): ScriptedGraph {
  const page = (from: number, count: number) =>
    Array.from({ length: count }, (_, k) => member(from + k, failing(from + k)));
  return new ScriptedGraph({
    [`GET /groups/${GID}`]: { id: GID, displayName: 'Sales' },
    [`GET ${MEMBERS}`]: { value: page(0, first), '@odata.nextLink': NEXT },
    [`GET ${NEXT}`]: { value: page(first, second) },
  });
}

const group = { positional: {}, flags: { group: GID } };
const names = (n: number) => ({
  positional: { user: 'u0' },
  flags: {},
  lists: { user: Array.from({ length: n }, (_, k) => `u${k}`) },
});

describe('bulk expansion of a large request', () => {
  it.each<[string, () => Promise<BulkResolution>, RegExp[]]>([
    [
      'a group over the limit names its count, the members read and the limit, and how to split',
      () =>
        expandBulk(
          retry,
          group,
          twoPages(4, 4, (n) => n % 2 === 0),
          { maxTargets: 3 },
        ),
      [
        /^Sales has 4 members to remediate \(of 8 read\)/,
        /at most 3 \(BULK_MAX_TARGETS\)/,
        /Split the run: use --group with smaller groups/,
        /or name up to 3 users in one command/,
      ],
    ],
    [
      'a named list over the limit names its count and the limit, and how to split',
      () => expandBulk(retry, names(6_001), new ScriptedGraph({}), { maxTargets: 5_000 }),
      [
        /^This command names 6,001 targets/,
        /at most 5,000 \(BULK_MAX_TARGETS\)/,
        /several commands of at most 5,000 each, or use --group/,
      ],
    ],
  ])('%s', async (_, expand, says) => {
    const result = await expand();
    expect(result).toMatchObject({ kind: 'refused', title: 'Too many targets' });
    for (const phrase of says) expect((result as { message: string }).message).toMatch(phrase);
  });

  it.each([
    { first: 3, second: 3, failing: 6, withProblem: 6 },
    { first: 15, second: 15, failing: 30, withProblem: PROBLEMS_KEPT },
  ])(
    'reads every page, asks for 999 a page, and keeps the failure line of the first $withProblem of $failing targets only',
    async ({ first, second, failing, withProblem }) => {
      const graph = twoPages(first, second, () => true);
      const result = await expandBulk(retry, group, graph, { maxTargets: 100 });
      if (result.kind !== 'resolved') throw new Error(result.kind);
      expect(result.target.items).toHaveLength(failing);
      expect(result.target.items.filter((i) => i.problem !== undefined)).toHaveLength(withProblem);
      expect(result.target.items.slice(0, withProblem).every((i) => i.problem)).toBe(true);
      expect(graph.calls.map((c) => c.path)).toEqual([`/groups/${GID}`, MEMBERS, NEXT]);
      expect(graph.calls[1]?.query['$top']).toBe('999');
    },
  );

  it('asks the action to describe failures only for the targets whose line the card shows', async () => {
    const expansion = retry.group as GroupExpansion<unknown>;
    const asked: boolean[] = [];
    const counting: RemediationAction = {
      ...retry,
      group: {
        ...expansion,
        fromUser: (user, detail) => {
          asked.push(detail?.problems ?? true);
          return expansion.fromUser(user, detail);
        },
      },
    };
    const result = await expandBulk(
      counting,
      group,
      twoPages(30, 30, () => true),
      { maxTargets: 100 },
    );
    if (result.kind !== 'resolved') throw new Error(result.kind);
    expect(result.target.items).toHaveLength(60);
    expect(asked.filter((problems) => problems)).toHaveLength(PROBLEMS_KEPT);
    expect(asked.slice(0, PROBLEMS_KEPT).every((problems) => problems)).toBe(true);
  });

  const failing = {
    id: 'f1',
    displayName: 'Fay',
    userPrincipalName: 'fay@contoso.com',
    serviceProvisioningErrors: [
      {
        isResolved: false,
        serviceInstance: 'exchange',
        errorDetail: '<ErrorDescription>Conflict.</ErrorDescription>',
      },
    ],
    licenseAssignmentStates: [
      { skuId: '6fd2c87f-b296-42f0-b197-1e91e994b900', state: 'Error', error: 'CountViolation' },
    ],
  };
  it.each(['retry-provisioning', 'reprocess-license'])(
    '%s builds the same target and verdict for a member whose failure line is not shown, without the line',
    (name) => {
      const expansion = (registry.find(name) as RemediationAction).group as GroupExpansion<unknown>;
      const shown = expansion.fromUser(failing, { problems: true });
      const unshown = expansion.fromUser(failing, { problems: false });
      expect(shown.confirmation.problems).toHaveLength(1);
      expect(unshown.confirmation.problems).toEqual([]);
      expect(unshown.target).toEqual(shown.target);
      expect(unshown.confirmation.blocked).toBe(shown.confirmation.blocked);
    },
  );

  it.each([
    { named: 2, says: /^2 groups are named "Sales"\. Name the group by its object id: g0, g1\.$/ },
    {
      named: 11,
      says: /^More than 10 groups are named "Sales"\. Name the group by its object id: g0, g1, .*, g9, …\.$/,
    },
  ])('a group name that $named groups share is refused, naming what it knows', async ({ named, says }) => {
    const graph = new ScriptedGraph({
      'GET /groups': {
        value: Array.from({ length: named }, (_, n) => ({ id: `g${n}`, displayName: 'Sales' })),
      },
    });
    const result = await expandBulk(retry, { positional: {}, flags: { group: 'Sales' } }, graph, {
      maxTargets: 100,
    });
    expect(result).toMatchObject({ kind: 'refused', title: 'Ambiguous group' });
    expect((result as { message: string }).message).toMatch(says);
    expect(graph.calls[0]?.query['$filter']).toBe("displayName eq 'Sales'");
  });
});
