import type { RemediationAction } from '../../domain/actions/action';
import type { GraphFailure } from '../../infra/graph/graph-failure';

/** What a person does about a write whose outcome is unknown. */
const CHECK =
  'Check the target in Entra (its errors on record and their time) before running the command again.';

/**
 * Says what a failed Graph write means and what to do next. Only answers that prove nothing ran
 * (4xx, 429, 503) are called a clean failure; other 5xx and network errors leave the outcome open.
 */
export function explainFailure(action: RemediationAction, approver: string, f: GraphFailure): string {
  switch (true) {
    case f.status === 403:
      return `Microsoft Graph refused: ${approver} does not hold an Entra role that allows this, or the app registration is not consented for the delegated permission ${action.permission} (Graph answers both the same way). Any of ${action.roles.join(', ')} can approve it (activate the role in PIM first if it is eligible); an admin grants the consent under the app registration's API permissions.`;
    case f.status === 401:
      return 'Microsoft Graph did not accept the sign-in token. Click Approve again to sign in afresh.';
    case f.status === 404:
      return 'Microsoft Graph no longer finds the target: it may have been deleted or moved since this card was created. Run the command again.';
    case f.status === 400:
      return `Microsoft Graph rejected the request as invalid: ${f.message}`;
    case f.status === 409:
      return `Microsoft Graph reported a conflict: ${f.message}. Another change may be in progress; try again in a few minutes.`;
    case f.status === 429:
      return 'Microsoft Graph is throttling this tenant and still did after several retries. Nothing ran; run the command again in a few minutes.';
    case f.status === 503:
      return 'Microsoft Graph was unavailable and did not process the request. Run the command again in a few minutes.';
    case f.code === 'Timeout':
      return `Microsoft Graph did not answer in time, so the outcome is unknown: the request may have been applied. ${CHECK} (${f.message})`;
    case f.status === 0:
      return `The connection to Microsoft Graph failed before it answered, so the outcome is unknown: the request may have been applied. ${CHECK} (${f.message})`;
    default:
      return `Microsoft Graph answered ${f.status}. The change may or may not have been made, so the outcome is unknown. ${CHECK}`;
  }
}
