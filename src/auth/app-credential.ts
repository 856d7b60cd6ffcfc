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
