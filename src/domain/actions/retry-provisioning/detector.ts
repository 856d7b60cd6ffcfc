import type { DirectoryUser } from '../../../infra/graph/directory-lookup';
import { describeErrorDetail } from '../../../infra/graph/provisioning-error-detail';
import { cleanText, type DetectedFailure } from '../../failures/failure';
import { MAX_ITEMS, userLabel, type Detector } from '../../failures/detector';

/**
 * Users with unresolved serviceProvisioningErrors. The user resource page says the property "Supports
 * `$filter` (`eq`, `not`, for isResolved and serviceInstance)", but no page shows the form such a filter takes
 * (a lambda on a collection of complex values), and graph/aad-advanced-queries, which lists every user property
 * that can be filtered with or without `ConsistencyLevel: eventual` + `$count=true`, has no row for it and
 * says unlisted properties "don't support `$filter` at all". So every user is read with the property
 * selected (users list: at most 999 a page) and the unresolved errors are picked here.
 */
export const userProvisioningDetector: Detector<'user-provisioning'> = {
  kind: 'user-provisioning',
  nature: 'state',
  async detect({ graph, now }) {
    const users = await graph.list<DirectoryUser>('/users', {
      query: { $select: 'id,displayName,userPrincipalName,serviceProvisioningErrors', $top: '999' },
      maxItems: MAX_ITEMS,
    });
    const failures: DetectedFailure<'user-provisioning'>[] = [];
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
          remediation: { action: 'retry-provisioning', target: u.id },
        });
      }
    }
    return { failures };
  },
};
