import { FAILED_REQUESTS_FILTER, REPROCESS_WINDOW_DAYS } from '../actions/reprocess-access-request/action';
import { describeUser, type DirectoryUser } from '../../graph/directory-lookup';
import { compareDateTimes, shiftDateTime } from '../../graph/date-time';
import type { GraphApi } from '../../graph/graph-api';
import { isLicenseInError, licenseErrorOf } from '../../graph/license-states';
import { segment } from '../../graph/odata';
import { describeErrorDetail } from '../../graph/provisioning-error-detail';
import { cleanText, remediationFor, type DetectedFailure, type FailureKind } from './failure';
import type { FailureNature } from '../../notifications/failure-ledger';

/** What a detector may use: the app-only (read) Graph client, the time, and persisted positions. */
export interface DetectionContext {
  readonly graph: GraphApi;
  readonly now: Date;
  /** The provisioning log's persisted watermark, if any. */
  readonly watermark: string | undefined;
}

/** What a detector found; `watermark` is where the next run should continue from. */
export interface Detection {
  readonly failures: readonly DetectedFailure[];
  readonly watermark?: string;
}

/** One kind of failure and how to find it in Graph. */
export interface Detector {
  readonly kind: FailureKind;
  readonly nature: FailureNature;
  detect(ctx: DetectionContext): Promise<Detection>;
}

/** An upper bound per collection, so a pathological tenant cannot make one cycle endless. */
export const MAX_ITEMS = 50_000;

/** The provisioning log is read from this far back the first time. */
export const FIRST_LOOKBACK_MS = 24 * 3_600_000;

/** Entries can reach the provisioning log late; each run re-reads this much before the watermark. */
export const LOG_OVERLAP_MS = 3_600_000;

/**
 * Entries one page of the provisioning log asks for. The list page supports $top and $skiptoken but states no
 * maximum, so this asks for a page size directory lists take everywhere; without $top no skip token comes.
 */
export const LOG_PAGE_SIZE = 100;

function userLabel(u: Pick<DirectoryUser, 'id' | 'displayName' | 'userPrincipalName'>): string {
  return describeUser(u as DirectoryUser);
}

/**
 * Users with unresolved serviceProvisioningErrors. The user resource page says the property "Supports
 * `$filter` (`eq`, `not`, for isResolved and serviceInstance)", but no page shows the form such a filter takes
 * (a lambda on a collection of complex values), and graph/aad-advanced-queries, which lists every user property
 * that can be filtered with or without `ConsistencyLevel: eventual` + `$count=true`, has no row for it and
 * says unlisted properties "don't support `$filter` at all". So every user is read with the property
 * selected (users list: at most 999 a page) and the unresolved errors are picked here.
 */
export const userProvisioningDetector: Detector = {
  kind: 'user-provisioning',
  nature: 'state',
  async detect({ graph, now }) {
    const users = await graph.list<DirectoryUser>('/users', {
      query: { $select: 'id,displayName,userPrincipalName,serviceProvisioningErrors', $top: '999' },
      maxItems: MAX_ITEMS,
    });
    const failures: DetectedFailure[] = [];
    for (const u of users) {
      for (const e of u.serviceProvisioningErrors ?? []) {
        if (e.isResolved === true) continue;
        const workload = (e.serviceInstance ?? 'unknown').split('/')[0] || 'unknown';
        failures.push({
          kind: 'user-provisioning',
          objectId: u.id,
          objectLabel: userLabel(u),
          errorCode: `ProvisioningError/${workload}`,
          errorMessage: cleanText(describeErrorDetail(e.errorDetail)),
          occurredAt: e.createdDateTime ?? now.toISOString(),
          remediation: remediationFor('user-provisioning', { target: u.id }),
        });
      }
    }
    return { failures };
  },
};

const LICENSE_ERRORS: Readonly<Record<string, string>> = {
  CountViolation: 'Not enough licences are available for this product.',
  MutuallyExclusiveViolation: 'The user has a licence that cannot be combined with this one.',
  DependencyViolation: 'A service plan this licence depends on is missing or disabled.',
  ProhibitedInUsageLocationViolation: "The product is not available in the user's usage location.",
  UniquenessViolation: 'An attribute that must be unique (such as a proxy address) is already in use.',
  Other: 'Entra could not assign the licence.',
};

interface LicensedGroup {
  readonly id: string;
  readonly displayName?: string;
}

/**
 * Group-based licensing errors: groups with hasMembersWithLicenseErrors (a filter that only works
 * without ConsistencyLevel: eventual, which this client never sends), then each group's members in error.
 */
export const licenseDetector: Detector = {
  kind: 'license',
  nature: 'state',
  async detect({ graph, now }) {
    const groups = await graph.list<LicensedGroup>('/groups', {
      query: { $filter: 'hasMembersWithLicenseErrors eq true', $select: 'id,displayName' },
      maxItems: MAX_ITEMS,
    });
    const failures: DetectedFailure[] = [];
    for (const g of groups) {
      const members = await graph.list<DirectoryUser>(`/groups/${segment(g.id)}/membersWithLicenseErrors`, {
        query: { $select: 'id,displayName,userPrincipalName,licenseAssignmentStates' },
        maxItems: MAX_ITEMS,
      });
      const groupName = g.displayName ?? g.id;
      for (const m of members) {
        const states = (m.licenseAssignmentStates ?? []).filter(
          (s) =>
            isLicenseInError(s) &&
            (!s.assignedByGroup || s.assignedByGroup.toLowerCase() === g.id.toLowerCase()),
        );
        const errors =
          states.length > 0 ? states : [{ error: 'Other', skuId: undefined, lastUpdatedDateTime: undefined }];
        for (const s of errors) {
          const code = licenseErrorOf(s) ?? 'Other';
          failures.push({
            kind: 'license',
            objectId: m.id,
            objectLabel: userLabel(m),
            errorCode: code,
            errorMessage: cleanText(
              `${LICENSE_ERRORS[code] ?? LICENSE_ERRORS['Other']} Group ${groupName}${s.skuId ? `, SKU ${s.skuId}` : ''}.`,
            ),
            occurredAt: s.lastUpdatedDateTime ?? now.toISOString(),
            remediation: remediationFor('license', { target: m.id }),
          });
        }
      }
    }
    return { failures };
  },
};

interface AssignmentRequest {
  readonly id: string;
  readonly state?: string;
  readonly status?: string;
  readonly createdDateTime?: string;
  readonly completedDateTime?: string | null;
  readonly accessPackage?: { readonly displayName?: string } | null;
  readonly requestor?: { readonly displayName?: string; readonly email?: string } | null;
}

const REPROCESSABLE = new Set(['deliveryfailed', 'partiallydelivered']);

/** Access package requests that failed delivery and can still be reprocessed (14 days after completion). */
export const accessRequestDetector: Detector = {
  kind: 'access-request',
  nature: 'state',
  async detect({ graph, now }) {
    const requests = await graph.list<AssignmentRequest>(
      '/identityGovernance/entitlementManagement/assignmentRequests',
      {
        query: {
          $filter: FAILED_REQUESTS_FILTER,
          $expand: 'accessPackage,requestor',
        },
        maxItems: MAX_ITEMS,
      },
    );
    const windowMs = REPROCESS_WINDOW_DAYS * 86_400_000;
    const failures: DetectedFailure[] = [];
    for (const r of requests) {
      const state = r.state ?? '';
      if (!REPROCESSABLE.has(state.toLowerCase())) continue;
      const when = r.completedDateTime ?? r.createdDateTime;
      if (when && now.getTime() - Date.parse(when) > windowMs) continue;
      const what = `${r.accessPackage?.displayName ?? 'access package'} for ${r.requestor?.displayName ?? r.requestor?.email ?? 'unknown requestor'}`;
      failures.push({
        kind: 'access-request',
        objectId: r.id,
        objectLabel: cleanText(what, 200),
        errorCode: state,
        errorMessage: cleanText(
          `The request is ${state}${r.status ? ` (${r.status})` : ''}; it can be reprocessed for ${REPROCESS_WINDOW_DAYS} days after it completed.`,
        ),
        occurredAt: when ?? now.toISOString(),
        remediation: remediationFor('access-request', { target: r.id }),
      });
    }
    return { failures };
  },
};

interface CloudPc {
  readonly id: string;
  readonly displayName?: string;
  readonly status?: string;
  readonly provisioningPolicyId?: string;
  readonly provisioningPolicyName?: string | null;
  readonly statusDetail?: { readonly code?: string; readonly message?: string } | null;
}

/** Cloud PCs whose provisioning failed, one failure per provisioning policy (the retry acts on a policy). */
export const cloudPcDetector: Detector = {
  kind: 'cloudpc',
  nature: 'state',
  async detect({ graph, now }) {
    const pcs = await graph.list<CloudPc>('/deviceManagement/virtualEndpoint/cloudPCs', {
      version: 'beta',
      query: { $filter: "status eq 'failed'" },
      maxItems: MAX_ITEMS,
    });
    const byPolicy = new Map<string, CloudPc[]>();
    for (const pc of pcs) {
      if (pc.status !== 'failed' || !pc.provisioningPolicyId) continue;
      byPolicy.set(pc.provisioningPolicyId, [...(byPolicy.get(pc.provisioningPolicyId) ?? []), pc]);
    }
    const failures: DetectedFailure[] = [];
    for (const [policyId, failed] of byPolicy) {
      const codes = [
        ...new Set(failed.map((pc) => pc.statusDetail?.code).filter((c): c is string => !!c)),
      ].sort();
      const names = failed.map((pc) => pc.displayName ?? pc.id);
      const policyName =
        failed.find((pc) => pc.provisioningPolicyName)?.provisioningPolicyName ??
        (await policyDisplayName(graph, policyId));
      const detail = failed.find((pc) => pc.statusDetail?.message)?.statusDetail?.message;
      failures.push({
        kind: 'cloudpc',
        objectId: policyId,
        objectLabel: policyName ?? policyId,
        errorCode: codes.length > 0 ? codes.join(',') : 'provisioningFailed',
        errorMessage: cleanText(
          `${failed.length} Cloud PC${failed.length === 1 ? '' : 's'} failed: ${names.slice(0, 10).join(', ')}${names.length > 10 ? '…' : ''}.${detail ? ` ${detail}` : ''}`,
        ),
        occurredAt: now.toISOString(),
        remediation: remediationFor('cloudpc', { target: policyId }),
      });
    }
    return { failures };
  },
};

async function policyDisplayName(graph: GraphApi, policyId: string): Promise<string | undefined> {
  try {
    const policy = await graph.get<{ displayName?: string }>(
      `/deviceManagement/virtualEndpoint/provisioningPolicies/${segment(policyId)}`,
      { version: 'beta', query: { $select: 'id,displayName' } },
    );
    return policy.displayName;
  } catch {
    return undefined;
  }
}

interface ProvisionedIdentity {
  readonly id?: string | null;
  readonly displayName?: string | null;
  readonly identityType?: string | null;
}

interface ProvisioningServicePrincipal {
  readonly id?: string | null;
  readonly displayName?: string | null;
}

interface ProvisioningLogEntry {
  readonly id: string;
  readonly activityDateTime?: string;
  readonly jobId?: string | null;
  /** An object in the list page's examples; an older resource page calls it a collection. */
  readonly servicePrincipal?: ProvisioningServicePrincipal | readonly ProvisioningServicePrincipal[] | null;
  readonly sourceSystem?: { readonly displayName?: string | null } | null;
  readonly sourceIdentity?: ProvisionedIdentity | null;
  readonly targetIdentity?: ProvisionedIdentity | null;
  readonly provisioningStatusInfo?: {
    readonly status?: string;
    readonly errorInformation?: {
      readonly errorCode?: string | null;
      readonly reason?: string | null;
      readonly recommendedAction?: string | null;
    } | null;
  } | null;
}

const ENTRA = /azure active directory|microsoft entra|^aad$|^entra/i;

/** The provisioning log answers "" for an empty id or name (list page examples): the same as none. */
function present(value: string | null | undefined): string | undefined {
  return value?.trim() ? value : undefined;
}

/**
 * Where the next read starts: the watermark minus an overlap for late entries, or the first lookback. The
 * watermark keeps every fractional digit of the newest activityDateTime read, so with `gt` nothing at the
 * boundary is lost or read twice.
 */
function logStart(watermark: string | undefined, now: Date): string {
  return (
    (watermark && shiftDateTime(watermark, -LOG_OVERLAP_MS)) ??
    new Date(now.getTime() - FIRST_LOOKBACK_MS).toISOString()
  );
}

/**
 * Failed entries of the provisioning log (/auditLogs/provisioning) since the persisted watermark, minus an
 * overlap for late entries. activityDateTime supports eq, gt and lt, not ge, and the log's filters are case
 * sensitive (provisioningObjectSummary pages). The Entra side of the entry is the user provision-on-demand
 * acts on; an entry for a group, or without an Entra-side id, offers no user remediation and is left out.
 */
export const syncDetector: Detector = {
  kind: 'sync',
  nature: 'event',
  async detect({ graph, now, watermark }) {
    const since = logStart(watermark, now);
    const entries = await graph.list<ProvisioningLogEntry>('/auditLogs/provisioning', {
      query: {
        $filter: `provisioningStatusInfo/status eq 'failure' and activityDateTime gt ${since}`,
        $top: String(LOG_PAGE_SIZE),
      },
      maxItems: MAX_ITEMS,
    });
    let latest = watermark ?? since;
    const failures: DetectedFailure[] = [];
    for (const e of entries) {
      if (e.activityDateTime && compareDateTimes(e.activityDateTime, latest) > 0) latest = e.activityDateTime;
      if ((e.provisioningStatusInfo?.status ?? '').toLowerCase() !== 'failure') continue;
      const servicePrincipal = Array.isArray(e.servicePrincipal) ? e.servicePrincipal[0] : e.servicePrincipal;
      const sp = present(servicePrincipal?.id);
      const fromEntra = ENTRA.test(e.sourceSystem?.displayName ?? '');
      const identity = fromEntra ? e.sourceIdentity : e.targetIdentity;
      const userId = present(identity?.id);
      if (!sp || !userId || /^group$/i.test(identity?.identityType ?? '')) continue;
      const info = e.provisioningStatusInfo?.errorInformation;
      const who = present(identity?.displayName) ?? present(e.sourceIdentity?.displayName) ?? userId;
      failures.push({
        kind: 'sync',
        objectId: `${sp}/${userId}`,
        objectLabel: cleanText(`${who} in ${present(servicePrincipal?.displayName) ?? sp}`, 200),
        errorCode: info?.errorCode || 'ProvisioningFailure',
        errorMessage: cleanText(
          [info?.reason, info?.recommendedAction].filter((t): t is string => !!t).join(' ') ||
            'The provisioning service reported a failure.',
        ),
        occurredAt: e.activityDateTime ?? now.toISOString(),
        remediation: remediationFor('sync', { target: userId, app: sp, job: present(e.jobId) }),
      });
    }
    return { failures, watermark: latest };
  },
};

/** The five detectors the monitor runs each cycle. */
export const DEFAULT_DETECTORS: readonly Detector[] = [
  userProvisioningDetector,
  licenseDetector,
  accessRequestDetector,
  cloudPcDetector,
  syncDetector,
];
