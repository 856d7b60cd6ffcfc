import type { DirectoryUser } from '../../../infra/graph/directory-lookup';
import { isLicenseInError, licenseErrorOf } from '../../../infra/graph/license-states';
import { segment } from '../../../infra/graph/odata';
import { cleanText, type DetectedFailure } from '../../failures/failure';
import { userLabel, type Detector } from '../../failures/detector';
import { readPass } from '../../failures/paged-pass';

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
 * without ConsistencyLevel: eventual, which this client never sends), then each group's members in error. Both
 * lists hold only what is in error; the groups are read within the cycle's page budget and go on next cycle.
 */
export const licenseDetector: Detector<'license'> = {
  kind: 'license',
  nature: 'state',
  async detect(ctx) {
    const { graph, now } = ctx;
    const pass = await readPass<LicensedGroup>(ctx, '/groups', {
      query: { $filter: 'hasMembersWithLicenseErrors eq true', $select: 'id,displayName' },
    });
    const failures: DetectedFailure<'license'>[] = [];
    for (const g of pass.items) {
      const members = await graph.list<DirectoryUser>(`/groups/${segment(g.id)}/membersWithLicenseErrors`, {
        query: { $select: 'id,displayName,userPrincipalName,licenseAssignmentStates' },
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
            remediation: { action: 'reprocess-license', target: m.id },
          });
        }
      }
    }
    return { failures, partial: pass.partial, position: pass.position };
  },
};
