import type { RemediationDefinition } from '../definition';
import { SYNC_KNOWLEDGE } from './diagnosis';
import { provisionOnDemand } from './action';
import { syncDetector } from './detector';

/** App provisioning (sync): the `provision-on-demand` command and the `sync` failures it fixes. */
export const provisionOnDemandRemediation = {
  name: 'provision-on-demand',
  kind: 'sync',
  label: 'App provisioning (sync)',
  kindAliases: ['app-provisioning'],
  failureTitle: (label) => `App provisioning failed: ${label}`,
  takesJob: true,
  action: () => provisionOnDemand,
  detector: syncDetector,
  knowledge: SYNC_KNOWLEDGE,
} as const satisfies RemediationDefinition<'provision-on-demand', 'sync'>;
