import { createHash } from 'node:crypto';

/**
 * The remediation a failure calls for, as the command an admin would type. The Remediate button runs it
 * through the same parser and target lookup, so a notification can never start something a person could not.
 * `N` is the remediation's name; the registry narrows it to the names it ships.
 */
export interface RemediationCommand<N extends string = string> {
  readonly action: N;
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
 * the fingerprint needs. Plain JSON: it is stored and read back by the Remediate button. `K` is its failure
 * family; the registry narrows it to the families it ships.
 */
export interface DetectedFailure<K extends string = string> {
  readonly kind: K;
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
