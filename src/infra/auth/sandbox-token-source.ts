import { isLoopbackUrl, type Config } from '../config';
import { errorMessage, type Logger } from '../logger';

/** Where the simulated tenant hands out Teams-SSO-like tokens, below `{authority}/{tenant}/`. */
export const SANDBOX_SSO_TOKEN_PATH = 'oauth2/v2.0/sandbox-sso-token';

/** Gets the clicking person's SSO token when the chat client does no SSO; undefined when there is none. */
export type SandboxTokenSource = (from: {
  readonly aadObjectId: string | undefined;
}) => Promise<string | undefined>;

/** Collaborators of {@link createSandboxTokenSource}; tests may pass their own fetch. */
export interface SandboxTokenSourceDeps {
  readonly logger?: Logger;
  readonly fetch?: typeof fetch;
}

/**
 * Local sandbox only. The Microsoft 365 Agents Playground does no SSO, so an Approve click arrives without
 * a token. This asks the simulated tenant (on loopback) for the clicker's token, authenticating as the app;
 * the approval handler then validates it and exchanges it on-behalf-of exactly as it does a Teams token,
 * so the sandbox exercises the real approval path. Refuses to exist outside sandbox mode or against a
 * non-loopback authority, whatever the caller says: it must never reach a real tenant.
 */
export function createSandboxTokenSource(
  config: Config,
  deps: SandboxTokenSourceDeps = {},
): SandboxTokenSource {
  if (!config.sandboxMode) throw new Error('The sandbox token source exists only with SANDBOX_MODE=true');
  if (!isLoopbackUrl(config.aad.authorityHost)) {
    throw new Error('The sandbox token source only talks to a loopback simulator of Entra ID');
  }
  const secret = config.aad.clientSecret;
  if (!secret) throw new Error('The sandbox token source needs AAD_APP_CLIENT_SECRET (the simulator’s)');
  const doFetch = deps.fetch ?? fetch;
  const url = `${config.aad.authorityHost}/${encodeURIComponent(config.aad.tenantId)}/${SANDBOX_SSO_TOKEN_PATH}`;

  return async (from) => {
    if (!from.aadObjectId) return undefined;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: config.aad.clientId,
          client_secret: secret,
          user_oid: from.aadObjectId,
          scope: `${config.aad.appIdUri}/access_as_user`,
        }).toString(),
      });
    } catch (err) {
      deps.logger?.warn({ err: errorMessage(err) }, 'sandbox sign-in failed');
      return undefined;
    }
    const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; error?: unknown };
    if (!res.ok || typeof body.access_token !== 'string') {
      deps.logger?.warn(
        { status: res.status, error: typeof body.error === 'string' ? body.error : undefined },
        'the simulated tenant gave no sign-in token for this person',
      );
      return undefined;
    }
    return body.access_token;
  };
}
