import { FAILED_REQUESTS_FILTER, isReprocessable, REPROCESS_WINDOW_DAYS } from './action';
import { cleanText, type DetectedFailure } from '../../failures/failure';
import type { Detector } from '../../failures/detector';
import { readPass } from '../../failures/paged-pass';

interface AssignmentRequest {
  readonly id: string;
  readonly state?: string;
  readonly status?: string;
  readonly createdDateTime?: string;
  readonly completedDateTime?: string | null;
  readonly accessPackage?: { readonly displayName?: string } | null;
  readonly requestor?: { readonly displayName?: string; readonly email?: string } | null;
}

/** Access package requests that failed delivery and can still be reprocessed (14 days after completion). */
export const accessRequestDetector: Detector<'access-request'> = {
  kind: 'access-request',
  nature: 'state',
  async detect(ctx) {
    const { now } = ctx;
    const pass = await readPass<AssignmentRequest>(
      ctx,
      '/identityGovernance/entitlementManagement/assignmentRequests',
      { query: { $filter: FAILED_REQUESTS_FILTER, $expand: 'accessPackage,requestor' } },
    );
    const windowMs = REPROCESS_WINDOW_DAYS * 86_400_000;
    const failures: DetectedFailure<'access-request'>[] = [];
    for (const r of pass.items) {
      const state = r.state ?? '';
      if (!isReprocessable(state)) continue;
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
        remediation: { action: 'reprocess-access-request', target: r.id },
      });
    }
    return { failures, partial: pass.partial, position: pass.position };
  },
};
