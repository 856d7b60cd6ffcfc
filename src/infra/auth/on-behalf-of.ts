import { OnBehalfOfCredential } from '@azure/identity';
import type { Config } from '../config';
import { identityOptions, managedIdentityAssertion } from './app-credential';
import { errorMessage } from '../logger';

/**
 * Why an on-behalf-of exchange failed, in terms an approver can act on: consent missing (an admin must grant
 * it), an interactive step Entra demands (MFA or another Conditional Access check), a lapsed sign-in, a
 * refused assertion, Entra out of reach.
 */
export type OboFailureKind =
  | 'consent_required'
  | 'interaction_required'
  | 'expired'
  | 'invalid_grant'
  | 'authority_unreachable'
  | 'other';

/** The exchange failed; `aadsts` is Entra's error code when it gave one. */
export class OboError extends Error {
  constructor(
    readonly kind: OboFailureKind,
    readonly aadsts: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'OboError';
  }
}

function classify(err: unknown): OboError {
  const text = errorMessage(err);
  const code = /AADSTS(\d+)/.exec(text)?.[1];
  if (code === '65001' || /consent_required/i.test(text)) {
    return new OboError('consent_required', code, text);
  }
  if (code === '50076' || code === '50079' || /interaction_required/i.test(text)) {
    return new OboError('interaction_required', code, text);
  }
  if (code === '500133') return new OboError('expired', code, text);
  if (/invalid_grant/i.test(text) || code === '50013') {
    return new OboError('invalid_grant', code, text);
  }
  // MSAL reports an authority it cannot reach as endpoints_resolution_error (its metadata fetch failed).
  if (
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|network|fetch failed|socket|endpoints_resolution_error/i.test(
      text,
    )
  ) {
    return new OboError('authority_unreachable', code, text);
  }
  return new OboError('other', code, text);
}

/**
 * Exchanges the approver's Teams SSO token for a Graph token with @azure/identity, so Graph itself
 * enforces the approver's Entra role and the app registration holds no write permission.
 */
export async function exchangeOnBehalfOf(
  aad: Config['aad'],
  userTenantId: string,
  assertion: string,
  scope: string,
): Promise<{ token: string; expiresOn: number }> {
  const base = {
    tenantId: userTenantId,
    clientId: aad.clientId,
    userAssertionToken: assertion,
    ...identityOptions(aad),
  };
  const credential = aad.certificatePath
    ? new OnBehalfOfCredential({ ...base, certificatePath: aad.certificatePath })
    : aad.clientSecret || !aad.managedIdentityClientId
      ? new OnBehalfOfCredential({ ...base, clientSecret: aad.clientSecret ?? '' })
      : new OnBehalfOfCredential({
          ...base,
          getAssertion: managedIdentityAssertion(aad.managedIdentityClientId),
        });
  try {
    const token = await credential.getToken(scope);
    return { token: token.token, expiresOn: token.expiresOnTimestamp };
  } catch (err) {
    throw classify(err);
  }
}

/**
 * Entra's page where an administrator grants the app's permissions for their whole tenant ("Construct the
 * URL for granting tenant-wide admin consent", learn.microsoft.com/entra/identity/enterprise-apps/grant-admin-consent).
 */
export function adminConsentUrl(aad: Config['aad'], tenantId: string): string {
  const query = new URLSearchParams({ client_id: aad.clientId });
  return `${aad.authorityHost}/${encodeURIComponent(tenantId)}/adminconsent?${query.toString()}`;
}
