/**
 * `npm run bench -- group`: a bulk remediation of a 100,000-member group (issue 22) by the built bot: the
 * fake Graph makes the members on demand, a share of them failing; `retry-provisioning --group`, approve, until
 * the summary. Reports the bot's peak memory (the kernel's high-water mark of its resident set), the member
 * reads and the times. Part of the published run.
 */
import { rmSync } from 'node:fs';
import { contosoSeed, FakeConnector, FakeGraph, type GraphUserSeed } from '../test/fakes';
import { peakRssMb, round, rssMb, withOutput } from './bench-lib';
import {
  approveAsAda,
  botEnv,
  bulkSummary,
  contosoClient,
  dataDirFor,
  startBuiltBot,
  type Tenant,
} from './harness';
import { PEOPLE } from './settings';

/** What the section is asked to show, from the issue. */
export const GROUP_SETTINGS = {
  members: 100_000,
  /** Every 20th member fails: 5,000 targets, the default BULK_MAX_TARGETS (the monitor's tenant has 0.1 %). */
  failingEvery: 20,
  /**
   * The bot's V8 old space per run: unset (V8 grows the heap into the machine's headroom and gives it back
   * later), then capped, which shows how much of the peak is live data rather than garbage not yet collected.
   */
  heapCapsMb: [undefined, 128],
  /** The goal for the bot's peak resident set during the run. */
  peakGoalMb: 300,
} as const;

const GROUP_ID = '63000000-0000-4000-8000-000000000001';
const ID_PREFIX = '43000000-0000-4000-8000-';

function member(i: number, failing: boolean): GraphUserSeed {
  return {
    id: `${ID_PREFIX}${String(i).padStart(12, '0')}`,
    displayName: `Field Member ${i}`,
    userPrincipalName: `field${i}@contoso.com`,
    serviceProvisioningErrors: failing
      ? [
          {
            createdDateTime: '2026-11-22T10:00:00Z',
            isResolved: false,
            serviceInstance: 'exchange/namprd11-001-01',
            errorDetail: `<ErrorDescription>Proxy address conflict for field${i}.</ErrorDescription>`,
          },
        ]
      : [],
  };
}

export interface GroupRun {
  readonly heapCapMb: number | null;
  readonly members: number;
  readonly targets: number;
  readonly memberReads: number;
  readonly confirmationMs: number;
  readonly runMs: number;
  readonly writes: number;
  readonly idleRssMb: number;
  /** The high-water mark once the confirmation was posted: reading the members and storing the targets. */
  readonly peakAtConfirmationMb: number;
  readonly peakRssMb: number;
  readonly peakGoalMb: number;
  readonly met: boolean;
}

/** One 100,000-member `--group` run on a fresh tenant, store and process. */
async function groupRun(tenant: Tenant, heapCapMb: number | undefined): Promise<GroupRun> {
  const { members, failingEvery, peakGoalMb } = GROUP_SETTINGS;
  const failing = (i: number) => i % failingEvery === 0;
  const seed = contosoSeed(new Date());
  // Failing members are seeded in place of the generated ones, so the fake can run their remediation.
  const seeded = Array.from({ length: Math.ceil(members / failingEvery) }, (_, k) =>
    member(k * failingEvery, true),
  );
  const graph = await FakeGraph.start({
    entra: tenant.entra,
    seed: {
      ...seed,
      users: [...(seed.users ?? []), ...seeded],
      groups: [
        ...(seed.groups ?? []),
        { id: GROUP_ID, displayName: 'Field Staff', memberIds: [], generatedMembers: true },
      ],
    },
  });
  graph.generateUsers({ count: members, user: (i) => member(i, failing(i)) });
  const connector = await FakeConnector.start({});
  const dataDir = dataDirFor('bench-group-');
  const bot = await startBuiltBot({
    ...botEnv(tenant.entra, graph, dataDir),
    ...(heapCapMb ? { NODE_OPTIONS: `--max-old-space-size=${heapCapMb}` } : {}),
  }).catch(async (err: unknown) => {
    // A bot that did not start leaves the fakes to close, or they would keep the bench running.
    await Promise.all([connector.close(), graph.close()]);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  const pid = bot.process.pid ?? 0;
  try {
    const idleRssMb = rssMb(pid);
    const teams = contosoClient(bot.port, connector);
    const started = performance.now();
    const asked = await teams.message({
      from: PEOPLE.reggie,
      text: `retry-provisioning --group ${GROUP_ID}`,
    });
    const reply = await connector.waitFor(
      (r) => r.kind === 'reply' && r.activityId === String(asked.activity.id),
      300_000,
    );
    const confirmationMs = performance.now() - started;
    const peakAtConfirmationMb = peakRssMb(pid);
    const memberReads = graph.requests.filter((r) => r.path.startsWith(`/groups/${GROUP_ID}/members`)).length;

    const approvedAt = performance.now();
    await approveAsAda(teams, tenant, reply);
    const targets = seeded.length;
    await bulkSummary(connector, targets, 600_000);
    const runMs = performance.now() - approvedAt;
    const peak = peakRssMb(pid);
    return {
      heapCapMb: heapCapMb ?? null,
      members,
      targets,
      memberReads,
      confirmationMs: round(confirmationMs, 0),
      runMs: round(runMs, 0),
      writes: graph.callCount('retryServiceProvisioning'),
      idleRssMb: round(idleRssMb),
      peakAtConfirmationMb: round(peakAtConfirmationMb),
      peakRssMb: round(peak),
      peakGoalMb,
      met: peak < peakGoalMb,
    };
  } catch (err) {
    throw withOutput(err, bot);
  } finally {
    await bot.stop();
    await Promise.all([connector.close(), graph.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The 100,000-member run at each heap cap of {@link GROUP_SETTINGS}. */
export async function benchGroup(tenant: Tenant): Promise<{ runs: GroupRun[] }> {
  const runs: GroupRun[] = [];
  for (const cap of GROUP_SETTINGS.heapCapsMb) runs.push(await groupRun(tenant, cap));
  return { runs };
}
