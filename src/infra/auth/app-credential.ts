import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import type { Config } from '../config';

const PUBLIC_AUTHORITIES = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);

/** Options shared by every credential: the configured authority, and no instance discovery off the known clouds. */
export function identityOptions(aad: Config['aad']) {
  return {
    authorityHost: aad.authorityHost,
    disableInstanceDiscovery: !PUBLIC_AUTHORITIES.has(new URL(aad.authorityHost).hostname),
  };
}

/**
 * The bot's own read-only identity, used to look targets up before anyone approves. It needs read
 * permissions only: every write runs with the approver's delegated token instead.
 */
export function createAppCredential(aad: Config['aad']): TokenCredential {
  const options = identityOptions(aad);
  if (aad.managedIdentityClientId && !aad.clientSecret && !aad.certificatePath) {
    return new ClientAssertionCredential(
      aad.tenantId,
      aad.clientId,
      managedIdentityAssertion(aad.managedIdentityClientId),
      options,
    );
  }
  if (aad.certificatePath) {
    return new ClientCertificateCredential(
      aad.tenantId,
      aad.clientId,
      { certificatePath: aad.certificatePath },
      options,
    );
  }
  return new ClientSecretCredential(aad.tenantId, aad.clientId, aad.clientSecret ?? '', options);
}

/** The `.default` scope of the configured Graph endpoint (public, national cloud, or a local simulator). */
export function graphScope(graphBaseUrl: string): string {
  return `${new URL(graphBaseUrl).origin}/.default`;
}

/** The audience Entra expects for a managed identity token used as a federated client assertion. */
export const TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

/**
 * Client assertions from a user-assigned managed identity federated with the app registration: the app
 * then needs no secret or certificate at all, for reads and for on-behalf-of alike.
 */
export function managedIdentityAssertion(managedIdentityClientId: string): () => Promise<string> {
  const identity = new ManagedIdentityCredential({ clientId: managedIdentityClientId });
  return async () => {
    const token = await identity.getToken(TOKEN_EXCHANGE_SCOPE);
    return token.token;
  };
}

/** Renew a cached app token this long before it expires, so no request leaves with a token about to lapse. */
export const TOKEN_RENEW_MARGIN_MS = 5 * 60_000;

/**
 * The app-only token for `scope`, kept until Entra says to refresh it (or five minutes before it expires)
 * and fetched once for all callers waiting at that moment. Every Graph read needs it, and asking the
 * credential each time costs a token-cache lookup on the hot path of every turn.
 */
export function cachedAppToken(
  credential: TokenCredential,
  scope: string,
  now: () => number,
): () => Promise<string> {
  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    const token = await credential.getToken(scope);
    if (!token) throw new Error('The app-only Graph token could not be obtained');
    const renewAt = Math.min(
      token.refreshAfterTimestamp ?? Number.POSITIVE_INFINITY,
      token.expiresOnTimestamp - TOKEN_RENEW_MARGIN_MS,
    );
    current = { token: token.token, renewAt };
    return token.token;
  };
  return () => {
    if (current && now() < current.renewAt) return Promise.resolve(current.token);
    pending ??= fetchToken().finally(() => (pending = undefined));
    return pending;
  };
}
