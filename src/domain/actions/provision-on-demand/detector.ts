import { compareDateTimes, shiftDateTime } from '../../../infra/graph/date-time';
import { cleanText, type DetectedFailure } from '../../failures/failure';
import type { Detector } from '../../failures/detector';
import { readPass } from '../../failures/paged-pass';

/** The provisioning log is read from this far back the first time. */
export const FIRST_LOOKBACK_MS = 24 * 3_600_000;

/** Entries can reach the provisioning log late; each run re-reads this much before the watermark. */
export const LOG_OVERLAP_MS = 3_600_000;

/**
 * Entries one page of the provisioning log asks for. The list page supports $top and $skiptoken but states no
 * maximum, so this asks for a page size directory lists take everywhere; without $top no skip token comes.
 */
export const LOG_PAGE_SIZE = 100;

interface ProvisionedIdentity {
  readonly id?: string | null;
  readonly displayName?: string | null;
  readonly identityType?: string | null;
}

interface ProvisioningServicePrincipal {
  readonly id?: string | null;
  readonly displayName?: string | null;
}

/** A provisioning log entry (provisioningObjectSummary) with the properties the detector and diagnose read. */
export interface ProvisioningLogEntry {
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
export const syncDetector: Detector<'sync'> = {
  kind: 'sync',
  nature: 'event',
  async detect(ctx) {
    const { now, watermark } = ctx;
    // A pass that goes on from a nextLink keeps the window it began with.
    const going = typeof ctx.position?.['link'] === 'string' ? ctx.position : undefined;
    const since = typeof going?.['since'] === 'string' ? going['since'] : logStart(watermark, now);
    const carried = going?.['latest'];
    const pass = await readPass<ProvisioningLogEntry>(
      ctx,
      '/auditLogs/provisioning',
      {
        query: {
          $filter: `provisioningStatusInfo/status eq 'failure' and activityDateTime gt ${since}`,
          $top: String(LOG_PAGE_SIZE),
        },
      },
      { since },
    );
    let latest = pass.partial.passStarted || typeof carried !== 'string' ? (watermark ?? since) : carried;
    const failures: DetectedFailure<'sync'>[] = [];
    for (const e of pass.items) {
      if (e.activityDateTime && compareDateTimes(e.activityDateTime, latest) > 0) latest = e.activityDateTime;
      if ((e.provisioningStatusInfo?.status ?? '').toLowerCase() !== 'failure') continue;
      const servicePrincipal = Array.isArray(e.servicePrincipal) ? e.servicePrincipal[0] : e.servicePrincipal;
      const sp = present(servicePrincipal?.id);
      const fromEntra = ENTRA.test(e.sourceSystem?.displayName ?? '');
      const identity = fromEntra ? e.sourceIdentity : e.targetIdentity;
      const userId = present(identity?.id);
      if (!sp || !userId || /^group$/i.test(identity?.identityType ?? '')) continue;
      const info = e.provisioningStatusInfo?.errorInformation;
      const job = present(e.jobId);
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
        remediation: { action: 'provision-on-demand', target: userId, app: sp, ...(job ? { job } : {}) },
      });
    }
    // The watermark moves only once the whole answer was read: the log's order is not documented, so a pass
    // that stops at the page budget keeps its latest time in its position and goes on from its nextLink.
    return pass.partial.passComplete
      ? { failures, watermark: latest, partial: pass.partial, position: pass.position }
      : { failures, partial: pass.partial, position: { ...pass.position, latest } };
  },
};
