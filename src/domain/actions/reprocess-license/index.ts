import type { GraphApi } from '../../../infra/graph/graph-api';
import type { RemediationDefinition } from '../definition';
import { LICENSE_KNOWLEDGE, diagnoseLicenses } from './diagnosis';
import { reprocessLicense } from './action';
import { licenseDetector } from './detector';

/** Group-based licensing: the `reprocess-license` command and the `license` failures it fixes. */
export const reprocessLicenseRemediation = {
  name: 'reprocess-license',
  kind: 'license',
  label: 'Group-based licensing',
  kindAliases: ['licence', 'licences', 'licenses'],
  failureTitle: (label) => `Licence assignment failed for ${label}`,
  takesJob: false,
  action: () => reprocessLicense,
  detector: licenseDetector,
  knowledge: LICENSE_KNOWLEDGE,
  diagnose: (target: unknown, graph: GraphApi) =>
    diagnoseLicenses(target as Parameters<typeof diagnoseLicenses>[0], graph),
} as const satisfies RemediationDefinition<'reprocess-license', 'license'>;
