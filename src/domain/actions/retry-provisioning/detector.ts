import type { DirectoryUser } from '../../../infra/graph/directory-lookup';
import { GraphFailure } from '../../../infra/graph/graph-failure';
import { describeErrorDetail } from '../../../infra/graph/provisioning-error-detail';
import { cleanText, type DetectedFailure } from '../../failures/failure';
import {
  userLabel,
  type Detection,
  type DetectionContext,
  type Detector,
  type ScanPosition,
} from '../../failures/detector';
import { readPass } from '../../failures/paged-pass';

/** What the detector reads of each user; a change here starts a new delta round (the old link tracks the old). */
export const USER_SELECT = 'id,displayName,userPrincipalName,serviceProvisioningErrors';

/**
 * Error codes Graph answers a delta link with when it can no longer say what changed since: the token expired
 * (seven days for directory objects: "syncStateNotFound") or the tenant must be read again; 410 Gone too.
 */
const RESYNC_CODES = /^(syncStateNotFound|resyncRequired|syncStateInvalid)$/i;

type DeltaUser = DirectoryUser & { readonly '@removed'?: { readonly reason?: string } };

function failuresOf(u: DirectoryUser, now: Date): DetectedFailure<'user-provisioning'>[] {
  return (u.serviceProvisioningErrors ?? [])
    .filter((e) => e.isResolved !== true)
    .map((e) => {
      const workload = (e.serviceInstance ?? 'unknown').split('/')[0] || 'unknown';
      return {
        kind: 'user-provisioning',
        objectId: u.id,
        objectLabel: userLabel(u),
        errorCode: `ProvisioningError/${workload}`,
        errorMessage: cleanText(describeErrorDetail(e.errorDetail)),
        occurredAt: e.createdDateTime ?? now.toISOString(),
        remediation: { action: 'retry-provisioning', target: u.id },
      };
    });
}

function needsResync(err: unknown): boolean {
  return err instanceof GraphFailure && (err.status === 410 || RESYNC_CODES.test(err.code ?? ''));
}

/** Graph refusing the delta query itself (not a passing fault): then the detector scans /users instead. */
function refused(err: unknown): boolean {
  return err instanceof GraphFailure && (err.status === 400 || err.status === 501);
}

/**
 * One delta round, or the part of it this cycle's budget allows. From no link (or one made for another
 * $select) it starts a full round: every user once, which is a full pass. From a deltaLink it reads what
 * changed since; removed users come as `@removed` and their failures clear.
 */
async function deltaRound(
  ctx: DetectionContext,
  from: ScanPosition | undefined,
): Promise<Detection<'user-provisioning'>> {
  const resumed = from?.['select'] === USER_SELECT && typeof from['link'] === 'string' ? from : undefined;
  const full = resumed ? resumed['full'] === true : true;
  const startedAt = typeof resumed?.['startedAt'] === 'string' ? resumed['startedAt'] : ctx.now.toISOString();
  let pages = typeof resumed?.['pages'] === 'number' ? resumed['pages'] : 0;
  let items = typeof resumed?.['items'] === 'number' ? resumed['items'] : 0;
  let link = resumed ? String(resumed['link']) : undefined;
  const failures: DetectedFailure<'user-provisioning'>[] = [];
  const objectIds: string[] = [];
  let read = 0;
  for (;;) {
    const page = await ctx.graph.page<DeltaUser>(link ?? '/users/delta', { query: { $select: USER_SELECT } });
    read++;
    pages++;
    items += page.value.length;
    for (const u of page.value) {
      if (!ctx.openObjectIds || ctx.openObjectIds.has(u.id.toLowerCase())) objectIds.push(u.id);
      if (!u['@removed']) failures.push(...failuresOf(u, ctx.now));
    }
    if (page.deltaLink) {
      return {
        failures,
        partial: { objectIds, passStarted: resumed === undefined, passComplete: full },
        position: { mode: 'delta', select: USER_SELECT, link: page.deltaLink, full: false },
      };
    }
    link = page.nextLink;
    if (!link)
      throw new Error('Graph answered a delta page with neither @odata.nextLink nor @odata.deltaLink');
    if (read >= ctx.pageBudget) {
      return {
        failures,
        partial: {
          objectIds,
          passStarted: resumed === undefined,
          passComplete: false,
          behind: { startedAt, pages, items },
        },
        position: { mode: 'delta', select: USER_SELECT, link, full, startedAt, pages, items },
      };
    }
  }
}

/** The fallback when Graph refuses the delta query: every user, page by page, the unresolved errors picked here. */
async function fullScan(ctx: DetectionContext): Promise<Detection<'user-provisioning'>> {
  const pass = await readPass<DirectoryUser>(
    ctx,
    '/users',
    { query: { $select: USER_SELECT, $top: '999' } },
    { mode: 'scan' },
  );
  return {
    failures: pass.items.flatMap((u) => failuresOf(u, ctx.now)),
    partial: {
      ...pass.partial,
      objectIds: pass.items
        .map((u) => u.id)
        .filter((id) => !ctx.openObjectIds || ctx.openObjectIds.has(id.toLowerCase())),
    },
    position: pass.position,
  };
}

/**
 * Users with unresolved serviceProvisioningErrors, by delta query on users (user: delta), so a steady-state
 * cycle reads only the users that changed. The property lives in the directory itself and is not among those
 * the delta pages say are untracked (docs/monitoring.md has the facts and links). A delta link Graph no longer
 * honours (410 Gone, syncStateNotFound) starts a full round again; a delta query Graph refuses outright falls
 * back to reading every user, and says so in the log.
 */
export const userProvisioningDetector: Detector<'user-provisioning'> = {
  kind: 'user-provisioning',
  nature: 'state',
  async detect(ctx) {
    const position = ctx.position;
    if (position?.['mode'] === 'scan' && typeof position['link'] === 'string') return fullScan(ctx);
    if (position?.['mode'] === 'delta' && position['select'] !== USER_SELECT) {
      ctx.logger.info(
        { kind: 'user-provisioning' },
        'selected user properties changed; starting a full delta round',
      );
    }
    try {
      return await deltaRound(ctx, position);
    } catch (err) {
      if (needsResync(err) && position?.['mode'] === 'delta') {
        ctx.logger.warn(
          {
            kind: 'user-provisioning',
            status: (err as GraphFailure).status,
            code: (err as GraphFailure).code,
          },
          'Graph no longer honours the users delta link; starting a full delta round',
        );
        return deltaRound(ctx, undefined);
      }
      if (!refused(err)) throw err;
      const f = err as GraphFailure;
      ctx.logger.warn(
        { kind: 'user-provisioning', status: f.status, code: f.code, requestId: f.requestId },
        'Graph refused the users delta query; reading every user instead (a full scan)',
      );
      return fullScan(ctx);
    }
  },
};
