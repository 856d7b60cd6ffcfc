import type { OboError } from '../../infra/auth/on-behalf-of';

/** The step that needed the approver's Graph token: the first approval, or Resume of a paused bulk run. */
export type OboStep = 'approve' | 'resume';

const WORDING: Record<
  OboStep,
  { start: string; refused: string; again: string; nothing: string; signIn: string }
> = {
  approve: {
    start: 'Approval could not start',
    refused: 'Approval refused',
    again: 'approve again',
    nothing: 'Nothing was run.',
    signIn: 'Sign in to approve this remediation',
  },
  resume: {
    start: 'Resume could not start',
    refused: 'Resume refused',
    again: 'resume again',
    nothing: 'Nothing more was sent.',
    signIn: 'Sign in to resume this bulk remediation',
  },
};

/** The loginRequest's text when the clicker has not signed in, or their sign-in expired. */
export function signInText(step: OboStep, expired: boolean): string {
  const verb = step === 'approve' ? 'approve' : 'resume';
  return expired ? `Your sign-in expired. Sign in again to ${verb}.` : WORDING[step].signIn;
}

/** Why the sign-in token itself was refused (wrong person, tenant, audience, signature). */
export function tokenRefusal(reason: string, step: OboStep): string {
  const { refused, nothing } = WORDING[step];
  return `${refused}: ${reason}. ${nothing}`;
}

/** The token service (sign-in link, magic code) was out of reach. */
export function tokenServiceRefusal(step: OboStep): string {
  const { start, again, nothing } = WORDING[step];
  return `${start}: the Bot Framework token service, which completes your sign-in, could not be reached. Try again in a minute, then ${again}. ${nothing}`;
}

/** The 412 message: Entra wants the approver to sign in interactively before the bot may act for them. */
export function interactiveSignInNeeded(err: OboError): string {
  const code = err.aadsts ? ` (AADSTS${err.aadsts})` : '';
  return err.kind === 'consent_required'
    ? `Microsoft Entra needs consent before the bot may act for you${code}. Sign in to continue; nothing was run.`
    : `Microsoft Entra needs you to sign in again, e.g. for multi-factor authentication or Conditional Access${code}. Sign in to continue; nothing was run.`;
}

/**
 * What the approver reads when Entra refuses the on-behalf-of exchange, by cause, so approving and resuming
 * tell the same story: who must act (an admin for consent, with the admin-consent link; the approver for
 * MFA or a new sign-in) and that nothing ran. An expired sign-in is not worded here: callers answer it with
 * a new sign-in request instead.
 */
export function oboRefusal(err: OboError, step: OboStep, adminConsentUrl?: string): string {
  const { start, again, nothing } = WORDING[step];
  const code = err.aadsts ? ` (AADSTS${err.aadsts})` : '';
  switch (err.kind) {
    case 'consent_required': {
      const where = adminConsentUrl ? ` at ${adminConsentUrl}` : ' to the app registration';
      return `${start}: the app has not been granted the Graph permission it needs in your tenant${code}. A Global or Privileged Role Administrator must grant admin consent${where}, then ${again}. ${nothing}`;
    }
    case 'interaction_required':
      return `${start}: Microsoft Entra requires multi-factor authentication or another Conditional Access check before the bot may act for you${code}. Sign out of Teams and back in, completing any prompt, then ${again}; if it persists, ask the admin of your Conditional Access policies. ${nothing}`;
    case 'invalid_grant':
      return `${start}: Entra refused to exchange your sign-in${code}. Sign out of Teams and back in (or complete any MFA prompt), then ${again}. ${nothing}`;
    case 'authority_unreachable':
      return `${start}: Microsoft Entra could not be reached. Try again in a minute. ${nothing}`;
    default:
      return `${start}: the sign-in exchange failed${code}. Try again; if it persists, check the app registration's credentials. ${nothing}`;
  }
}
