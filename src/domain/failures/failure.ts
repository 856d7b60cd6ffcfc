import { createHash } from 'node:crypto';

/** The failure families the bot watches; channels subscribe to them by these names. */
export const FAILURE_KINDS = ['user-provisioning', 'license', 'access-request', 'cloudpc', 'sync'] as const;

/** One failure family, as typed in `subscribe <kinds>` and sent by external monitors. */
export type FailureKind = (typeof FAILURE_KINDS)[number];

/** How each kind is named on cards, so admins recognise the Entra blade it comes from. */
export const KIND_LABELS: Readonly<Record<FailureKind, string>> = {
  'user-provisioning': 'User service provisioning',
  license: 'Group-based licensing',
  'access-request': 'Access package request',
  cloudpc: 'Cloud PC provisioning',
  sync: 'App provisioning (sync)',
};

/** True for a known kind name; the webhook and the commands accept nothing else. */
export function isFailureKind(value: string): value is FailureKind {
  return (FAILURE_KINDS as readonly string[]).includes(value);
}

/**
 * The remediation a failure calls for, as the command an admin would type. The Remediate button runs it
 * through the same parser and target lookup, so a notification can never start something a person could not.
 */
export interface RemediationCommand {
  readonly action:
    | 'retry-provisioning'
    | 'reprocess-license'
    | 'reprocess-access-request'
    | 'retry-cloudpc-policy'
    | 'provision-on-demand';
  readonly target: string;
  readonly app?: string;
  readonly job?: string;
}

/** Writes a remediation as command text (`provision-on-demand <user> --app <sp> --job <job>`). */
export function commandText(c: RemediationCommand): string {
  const words: string[] = [c.action, c.target];
  if (c.app) words.push('--app', c.app);
  if (c.job) words.push('--job', c.job);
  return words.join(' ');
}

/**
 * A failure found by the monitor or reported through the webhook, reduced to what a card shows and what
 * the fingerprint needs. Plain JSON: it is stored and read back by the Remediate button.
 */
export interface DetectedFailure {
  readonly kind: FailureKind;
  /** The object that failed: user, request, provisioning policy, or `servicePrincipal/user` for sync. */
  readonly objectId: string;
  /** What people call that object (a name and UPN), for the card. */
  readonly objectLabel: string;
  /** A stable error identifier: Graph's error code, a workload name, a request state. */
  readonly errorCode: string;
  readonly errorMessage: string;
  /** When the failure happened (ISO 8601), as far as the source says. */
  readonly occurredAt: string;
  readonly remediation: RemediationCommand;
}

/**
 * kind + object + error: the identity of a failure. The message is left out on purpose, because Graph puts
 * timestamps and ids in it and a reworded message is not a new failure.
 */
export function fingerprint(f: Pick<DetectedFailure, 'kind' | 'objectId' | 'errorCode'>): string {
  return createHash('sha256')
    .update(`${f.kind}\u0000${f.objectId.toLowerCase()}\u0000${f.errorCode.toLowerCase()}`)
    .digest('hex');
}

/** Maps a failure to the one remediation that addresses it. */
export function remediationFor(
  kind: FailureKind,
  ids: { target: string; app?: string | undefined; job?: string | undefined },
): RemediationCommand {
  switch (kind) {
    case 'user-provisioning':
      return { action: 'retry-provisioning', target: ids.target };
    case 'license':
      return { action: 'reprocess-license', target: ids.target };
    case 'access-request':
      return { action: 'reprocess-access-request', target: ids.target };
    case 'cloudpc':
      return { action: 'retry-cloudpc-policy', target: ids.target };
    case 'sync':
      return {
        action: 'provision-on-demand',
        target: ids.target,
        ...(ids.app ? { app: ids.app } : {}),
        ...(ids.job ? { job: ids.job } : {}),
      };
  }
}

/** Keeps card text readable and bounded whatever a source sends: no control characters, at most `max` chars. */
export function cleanText(value: string, max = 500): string {
  const printable = Array.from(value, (ch) => {
    const code = ch.charCodeAt(0);
    return code < 32 || code === 127 ? ' ' : ch;
  }).join('');
  const text = printable
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
