import { enumWords } from '../../infra/graph/enum-words';
import type { ServicePrincipal } from '../../infra/graph/directory-lookup';
import type { GraphApi } from '../../infra/graph/graph-api';
import { segment } from '../../infra/graph/odata';
import type { Fact } from '../actions/action';
import type { Diagnosis, FailureSignal } from '../actions/diagnosis';
import { CLOUDPC_KNOWLEDGE } from '../actions/retry-cloudpc-policy/diagnosis';
import { cloudPcSignal, failedOf, policyCloudPcs } from '../actions/retry-cloudpc-policy/action';
import type { ProvisioningPolicy } from '../actions/retry-cloudpc-policy/target';
import { SYNC_KNOWLEDGE } from '../actions/provision-on-demand/diagnosis';
import { diagnoseEach, partlyRead, type Finding, type TargetFindings } from './finding';
import { logFindings } from './sync-findings';

/** The most failed Cloud PCs one diagnosis lists; the count says how many there are. */
const LISTED_CLOUD_PCS = 20;

/**
 * A provisioning policy's failed Cloud PCs (cloudPC.statusDetail says why each failed). Retry works only
 * for Frontline shared policies, so a dedicated policy's failures get no button and say what to do instead.
 */
export async function policyFindings(policy: ProvisioningPolicy, graph: GraphApi): Promise<TargetFindings> {
  const read = await policyCloudPcs(graph, policy.id);
  const failed = read.items.filter((pc) => pc.status?.toLowerCase() === 'failed');
  const listed = failed.slice(0, LISTED_CLOUD_PCS);
  const diagnoses = await diagnoseEach(graph, CLOUDPC_KNOWLEDGE, listed.map(cloudPcSignal), policy.id);
  const type = policy.provisioningType ?? 'unknown';
  const name = policy.displayName ?? policy.id;
  const notShared = /^shared/i.test(type)
    ? undefined
    : `Retry works only for Frontline shared policies; "${name}" is ${enumWords(type)}. Reprovision its failed Cloud PCs one by one in Intune.`;
  return {
    targetKind: 'policy',
    id: policy.id,
    label: name,
    facts: [
      { title: 'Policy', value: name },
      { title: 'Policy id', value: policy.id },
      { title: 'Type', value: enumWords(type) },
      { title: 'Failed Cloud PCs', value: failedOf(failed.length, read) },
    ],
    findings: listed.map((pc, i) => ({
      kind: 'cloudpc',
      what: `Cloud PC ${pc.displayName ?? pc.id}: failed${pc.statusDetail?.message ? `: ${pc.statusDetail.message}` : ''}`,
      code: pc.statusDetail?.code ?? 'failed',
      diagnosis: diagnoses[i] as Diagnosis,
      ...(notShared
        ? { noRemediation: notShared }
        : { remediation: { action: 'retry-cloudpc-policy', target: policy.id } }),
    })),
    unread: partlyRead("policy's Cloud PCs", read),
  };
}

interface SynchronizationError {
  readonly code?: string | null;
  readonly message?: string | null;
}

interface SynchronizationJob {
  readonly id: string;
  readonly templateId?: string;
  readonly status?: {
    readonly code?: string;
    readonly lastExecution?: {
      readonly state?: string;
      readonly timeEnded?: string;
      readonly error?: SynchronizationError | null;
    } | null;
    readonly quarantine?: {
      readonly currentBegan?: string;
      readonly nextAttempt?: string;
      readonly reason?: string;
      readonly error?: SynchronizationError | null;
    } | null;
  } | null;
}

const NO_JOB_REMEDIATION =
  'No remediation of this bot acts on a whole provisioning job: fix it on the app’s Provisioning page in Entra, then provision single users with provision-on-demand.';

function errorText(e: SynchronizationError | null | undefined): string {
  return [e?.code, e?.message].filter((t): t is string => !!t).join(': ');
}

/** A job's failure signal: quarantine first (it stops the job), else a last run that failed. */
function jobSignal(
  job: SynchronizationJob,
): { signal: FailureSignal; what: string; when?: Finding['when'] } | undefined {
  const status = job.status;
  if (/^quarantine$/i.test(status?.code ?? '')) {
    const q = status?.quarantine;
    const text = [q?.reason, errorText(q?.error)].filter((t) => !!t).join(': ');
    return {
      signal: { kind: 'sync', code: 'Quarantine', ...(text ? { text } : {}) },
      what: `Job ${job.id} is in quarantine${text ? `: ${text}` : ''}${q?.nextAttempt ? ` (next attempt ${q.nextAttempt})` : ''}`,
      ...(q?.currentBegan ? { when: { word: 'In quarantine since', at: q.currentBegan } } : {}),
    };
  }
  const last = status?.lastExecution;
  if (/^failed$/i.test(last?.state ?? '')) {
    const text = errorText(last?.error);
    return {
      signal: {
        kind: 'sync',
        code: last?.error?.code ?? 'Failed',
        ...(last?.error?.message ? { text: last.error.message } : {}),
      },
      what: `Job ${job.id}: its last run failed${text ? `: ${text}` : ''}`,
      ...(last?.timeEnded ? { when: { word: 'Last run ended', at: last.timeEnded } } : {}),
    };
  }
  return undefined;
}

/**
 * An enterprise app's provisioning jobs (which is in quarantine or failed its last run, and why), and the
 * users it failed to provision in the last day, each with a provision-on-demand button.
 */
export async function appFindings(sp: ServicePrincipal, graph: GraphApi, now: Date): Promise<TargetFindings> {
  const jobs = await graph.list<SynchronizationJob>(
    `/servicePrincipals/${segment(sp.id)}/synchronization/jobs`,
  );
  const app = sp.id.toLowerCase();
  const users = await logFindings(graph, now, (f) => f.appId.toLowerCase() === app, sp.id, sp.id);
  const signals = jobs.map((job) => ({ job, found: jobSignal(job) }));
  const failing = signals.filter((s) => s.found !== undefined);
  const diagnoses = await diagnoseEach(
    graph,
    SYNC_KNOWLEDGE,
    failing.map((s) => s.found?.signal as FailureSignal),
    sp.id,
  );
  const facts: Fact[] = [
    { title: 'Application', value: sp.displayName ?? '—' },
    { title: 'appId', value: sp.appId ?? '—' },
    { title: 'Object id', value: sp.id },
    ...jobs.map((j) => ({
      title: `Job ${j.id}`,
      value: `${j.status?.code ?? 'unknown'}${j.status?.lastExecution?.state ? `, last run ${j.status.lastExecution.state}` : ''}`,
    })),
  ];
  if (jobs.length === 0)
    facts.push({ title: 'Provisioning jobs', value: 'none: provisioning is not set up' });
  const findings: Finding[] = failing.map(({ job, found }, i) => ({
    kind: 'sync',
    what: found?.what ?? `Job ${job.id}`,
    code: found?.signal.code ?? 'Failed',
    ...(found?.when ? { when: found.when } : {}),
    diagnosis: diagnoses[i] as Diagnosis,
    noRemediation: NO_JOB_REMEDIATION,
  }));
  return {
    targetKind: 'app',
    id: sp.id,
    label: sp.displayName ?? sp.id,
    facts,
    findings: [...findings, ...users.findings],
    unread: users.unread,
  };
}
