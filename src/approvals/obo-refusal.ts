import type { OboError } from '../auth/on-behalf-of';

/** The step that needed the approver's Graph token: the first approval, or Resume of a paused bulk run. */
export type OboStep = 'approve' | 'resume';

const WORDING: Record<OboStep, { start: string; again: string; nothing: string }> = {
  approve: { start: 'Approval could not start', again: 'approve again', nothing: 'Nothing was run.' },
  resume: { start: 'Resume could not start', again: 'resume again', nothing: 'Nothing more was sent.' },
};

/**
 * What the approver reads when Entra refuses the on-behalf-of exchange, by cause, so approving and resuming
 * tell the same story: who must act (an admin for consent, the approver for a new sign-in) and that nothing
 * ran. An expired sign-in is not worded here: callers answer it with a new sign-in request instead.
 */
export function oboRefusal(err: OboError, step: OboStep): string {
  const { start, again, nothing } = WORDING[step];
  const code = err.aadsts ? ` (AADSTS${err.aadsts})` : '';
  switch (err.kind) {
    case 'consent_required':
      return `${start}: the app has not been granted the Graph permission it needs in your tenant${code}. A Global or Privileged Role Administrator must grant admin consent to the app registration, then ${again}. ${nothing}`;
    case 'invalid_grant':
      return `${start}: Entra refused to exchange your sign-in${code}. Sign out of Teams and back in (or complete any MFA prompt), then ${again}. ${nothing}`;
    case 'authority_unreachable':
      return `${start}: Microsoft Entra could not be reached. Try again in a minute. ${nothing}`;
    default:
      return `${start}: the sign-in exchange failed${code}. Try again; if it persists, check the app registration's credentials. ${nothing}`;
  }
}
