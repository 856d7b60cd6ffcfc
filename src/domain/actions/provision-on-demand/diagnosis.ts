import type { KnowledgeEntry } from '../diagnosis';

const SCOPING =
  'https://learn.microsoft.com/entra/identity/app-provisioning/define-conditional-rules-for-provisioning-user-accounts';
const ON_DEMAND = 'https://learn.microsoft.com/entra/identity/app-provisioning/provision-on-demand';
const QUARANTINE =
  'https://learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-quarantine-status';

/**
 * App provisioning failures, by a provisioning step's or a Skipped result's errorCode and reason, and a
 * provisioning job's status (code `Quarantine`, with synchronizationQuarantine's reason and error as text).
 */
export const SYNC_KNOWLEDGE: readonly KnowledgeEntry[] = [
  {
    id: 'sync-out-of-scope',
    kind: 'sync',
    recognise: {
      text: /(NotEffectivelyEntitled|not (in|within) scope|out of scope|scoping filter|not assigned to the app|SkipReason)/i,
    },
    cause:
      'The user is out of the app’s provisioning scope: not assigned to the app (directly or through a group), or excluded by a scoping filter.',
    retryHelps: false,
    fixFirst:
      'Assign the user (or a group they belong to) to the app, or change the scoping filter; then provision on demand again.',
    source: SCOPING,
    samples: [
      {
        kind: 'sync',
        code: 'NotEffectivelyEntitled',
        text: 'NotEffectivelyEntitled: the user is not assigned to the app.',
      },
      {
        kind: 'sync',
        code: 'SkipReason',
        text: 'The user is out of scope: the scoping filter excluded them.',
      },
    ],
  },
  {
    id: 'sync-redundant',
    kind: 'sync',
    recognise: { code: /^RedundantExport$/i },
    cause: 'The user is already in the target app as Entra would write them: there was nothing to change.',
    retryHelps: false,
    fixFirst: 'Nothing to fix: check the user in the app; provision again only after a change in Entra.',
    source: ON_DEMAND,
    samples: [{ kind: 'sync', code: 'RedundantExport' }],
  },
  {
    id: 'sync-quarantine',
    kind: 'sync',
    recognise: { code: /^Quarantine$/i },
    cause:
      'The app’s provisioning job is in quarantine: after repeated failures (most often admin credentials the app no longer accepts, or errors on most objects) Entra runs it less and less often, down to once a day, and disables it after four weeks.',
    retryHelps: false,
    fixFirst:
      'Open the app’s Provisioning page in Entra, fix what the quarantine reason names (Test Connection checks the admin credentials), then Restart provisioning.',
    source: QUARANTINE,
    samples: [
      {
        kind: 'sync',
        code: 'Quarantine',
        text: 'EncounteredQuarantineException',
      },
    ],
  },
];
