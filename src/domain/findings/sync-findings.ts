import { listUpTo, type GraphApi, type Listed } from '../../infra/graph/graph-api';
import { eq } from '../../infra/graph/odata';
import type { Diagnosis } from '../actions/diagnosis';
import { SYNC_KNOWLEDGE } from '../actions/provision-on-demand/diagnosis';
import {
  FIRST_LOOKBACK_MS,
  LOG_PAGE_SIZE,
  type ProvisioningLogEntry,
} from '../actions/provision-on-demand/detector';
import { diagnoseEach, fromSource, partlyRead, type Finding, type SourceFindings } from './finding';

/** One user's latest failed provisioning into one app, as the provisioning log has it. */
export interface FailedProvisioning {
  readonly appId: string;
  readonly appName: string;
  readonly userId: string;
  readonly userName: string;
  readonly jobId: string | undefined;
  readonly at: string | undefined;
  readonly code: string;
  readonly reason: string;
}

const ENTRA = /azure active directory|microsoft entra|^aad$|^entra/i;

/** The provisioning log answers "" for an empty id or name (list page examples): the same as none. */
function present(value: string | null | undefined): string | undefined {
  return value?.trim() ? value : undefined;
}

/** An entry as a failed provisioning of an Entra user, or undefined for a group or an entry without ids. */
function failedProvisioning(e: ProvisioningLogEntry): FailedProvisioning | undefined {
  const sp = Array.isArray(e.servicePrincipal) ? e.servicePrincipal[0] : e.servicePrincipal;
  const identity = ENTRA.test(e.sourceSystem?.displayName ?? '') ? e.sourceIdentity : e.targetIdentity;
  const appId = present(sp?.id);
  const userId = present(identity?.id);
  if (!appId || !userId || /^group$/i.test(identity?.identityType ?? '')) return undefined;
  const info = e.provisioningStatusInfo?.errorInformation;
  return {
    appId,
    appName: present(sp?.displayName) ?? appId,
    userId,
    userName: present(identity?.displayName) ?? userId,
    jobId: present(e.jobId),
    at: e.activityDateTime,
    code: info?.errorCode || 'ProvisioningFailure',
    reason: [info?.reason, info?.recommendedAction].filter((t): t is string => !!t).join(' '),
  };
}

/** The most failed provisioning log entries one diagnosis reads. */
const FAILED_ENTRIES_READ = 5000;

/** What a diagnosis calls those entries when it read only the first of them. */
const LOG_FAILURES = "provisioning log's failures of the last day";

/**
 * The failed entries of the provisioning log over the last day that `keep` picks, the latest per user and
 * app, read with the filter the monitor uses (provisioningObjectSummary list: activityDateTime supports gt,
 * filters are case sensitive, $top brings a skip token). With `app`, only that service principal's entries
 * are read (servicePrincipal/id supports eq, provisioningObjectSummary resource page). At most
 * {@link FAILED_ENTRIES_READ} entries are read; `complete` false says the log had more.
 */
async function failedProvisionings(
  graph: GraphApi,
  now: Date,
  keep: (f: FailedProvisioning) => boolean,
  app?: string,
): Promise<Listed<FailedProvisioning>> {
  const since = new Date(now.getTime() - FIRST_LOOKBACK_MS).toISOString();
  const ofApp = app ? ` and ${eq('servicePrincipal/id', app)}` : '';
  const read = await listUpTo<ProvisioningLogEntry>(graph, '/auditLogs/provisioning', FAILED_ENTRIES_READ, {
    query: {
      $filter: `provisioningStatusInfo/status eq 'failure' and activityDateTime gt ${since}${ofApp}`,
      $top: String(LOG_PAGE_SIZE),
    },
  });
  const latest = new Map<string, FailedProvisioning>();
  for (const e of read.items) {
    if ((e.provisioningStatusInfo?.status ?? '').toLowerCase() !== 'failure') continue;
    const f = failedProvisioning(e);
    if (!f || !keep(f)) continue;
    const key = `${f.appId}\u0000${f.userId}`.toLowerCase();
    const seen = latest.get(key);
    if (!seen || Date.parse(f.at ?? '') > Date.parse(seen.at ?? '')) latest.set(key, f);
  }
  return { ...read, items: [...latest.values()] };
}

/** Each failed provisioning as a finding whose button provisions that user on demand through that app. */
async function syncFindings(
  graph: GraphApi,
  failed: readonly FailedProvisioning[],
  selfId: string,
): Promise<Finding[]> {
  const diagnoses = await diagnoseEach(
    graph,
    SYNC_KNOWLEDGE,
    failed.map((f) => ({ kind: 'sync', code: f.code, ...(f.reason ? { text: f.reason } : {}) })),
    selfId,
  );
  return failed.map((f, i) => ({
    kind: 'sync',
    what: `${f.userName} in ${f.appName}: ${f.code}${f.reason ? `: ${f.reason}` : ''}`,
    code: f.code,
    ...(f.at ? { when: { word: 'Failed at', at: f.at } } : {}),
    diagnosis: diagnoses[i] as Diagnosis,
    remediation: {
      action: 'provision-on-demand',
      target: f.userId,
      app: f.appId,
      ...(f.jobId ? { job: f.jobId } : {}),
    },
  }));
}

/**
 * The provisioning log's failures of the last day that `keep` picks, as findings with their buttons, and what
 * of the log was refused or read only in part. With `app`, only that service principal's entries are read.
 */
export function logFindings(
  graph: GraphApi,
  now: Date,
  keep: (f: FailedProvisioning) => boolean,
  selfId: string,
  app?: string,
): Promise<SourceFindings> {
  return fromSource('provisioning log', async () => {
    const failed = await failedProvisionings(graph, now, keep, app);
    return {
      findings: await syncFindings(graph, failed.items, selfId),
      unread: partlyRead(LOG_FAILURES, failed),
    };
  });
}
