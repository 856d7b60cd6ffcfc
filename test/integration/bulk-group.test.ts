import { cardActions, cardText } from './card-helpers';
import { command } from './flows';
import { PEOPLE, startHarness, type Harness } from './harness';
import { batchedWrites, requestAndApprove, summaryPost } from './bulk-helpers';
import { contosoSeed, type GraphUserSeed } from '../fakes';

const GROUP = '62000000-0000-4000-8000-000000000001';
const MEMBERS = `/groups/${GROUP}/members/microsoft.graph.user`;

/** A member of a large group; `failing` ones have an unresolved Exchange provisioning error. */
function member(i: number, failing: boolean): GraphUserSeed {
  return {
    id: `32000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    displayName: `Member ${i}`,
    userPrincipalName: `member${i}@contoso.com`,
    serviceProvisioningErrors: failing
      ? [
          {
            createdDateTime: '2026-11-22T10:00:00Z',
            isResolved: false,
            serviceInstance: 'exchange/namprd11-001-01',
            errorDetail: `<ErrorDescription>Proxy address conflict for member${i}.</ErrorDescription>`,
          },
        ]
      : [],
  };
}

/** A harness whose group "Field Staff" has `count` generated members, those in `failing` with an error. */
async function groupHarness(count: number, failing: ReadonlySet<number>, maxTargets: number) {
  const h = await startHarness({ BULK_MAX_TARGETS: String(maxTargets) });
  const seed = contosoSeed(new Date(h.clock.now()));
  // Failing members are seeded too, in place of the generated ones, so the fake can run their remediation.
  h.graph.seed({
    users: [...(seed.users ?? []), ...[...failing].map((i) => member(i, true))],
    groups: [
      ...(seed.groups ?? []),
      { id: GROUP, displayName: 'Field Staff', memberIds: [], generatedMembers: true },
    ],
  });
  h.graph.generateUsers({ count, user: (i) => member(i, failing.has(i)) });
  return h;
}

describe('bulk --group on a group larger than one page', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('reads every page of members, 999 at a time, and runs the failing members of every page', async () => {
    const failing = new Set([5, 1_500, 2_099]);
    h = await groupHarness(2_100, failing, 10);
    const { confirmation } = await requestAndApprove(h, `retry-provisioning --group ${GROUP}`);
    const shown = cardText(confirmation.card);
    expect(shown).toMatch(/retry-provisioning for 3 users/);
    expect(shown).toMatch(/group Field Staff \(2,100 members read, 2,097 with nothing to fix\)/);

    const reads = h.graph.requests.filter((r) => r.path === MEMBERS);
    expect(reads).toHaveLength(3);
    expect(reads[0]?.query['$top']).toBe('999');
    expect(reads.every((r) => r.headers['consistencylevel'] === 'eventual')).toBe(true);

    await summaryPost(h);
    for (const i of failing) {
      expect(h.graph.callCount('retryServiceProvisioning', member(i, true).id)).toBe(1);
    }
    expect(batchedWrites(h)).toHaveLength(3);
  });

  it('refuses more members to remediate than BULK_MAX_TARGETS, naming the count, the limit and how to split', async () => {
    const failing = new Set(Array.from({ length: 12 }, (_, k) => k * 100 + 7));
    h = await groupHarness(1_200, failing, 10);
    const { card } = await command(h, `retry-provisioning --group "Field Staff"`, PEOPLE.reggie);
    const shown = cardText(card);
    expect(shown).toMatch(/Too many targets/);
    expect(shown).toMatch(/Field Staff has 12 members to remediate \(of 1,200 read\)/);
    expect(shown).toMatch(/at most 10 \(BULK_MAX_TARGETS\)/);
    expect(shown).toMatch(/Split the run: use --group with smaller groups/);
    expect(cardActions(card).map((a) => a.verb)).not.toContain('approve');
    expect(h.graph.writes()).toHaveLength(0);
  });
});
