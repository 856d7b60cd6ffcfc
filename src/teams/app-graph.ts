import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApproverSignIn } from '../features/shared/approver-sign-in';
import { cachedAppToken, createAppCredential, graphScope } from '../infra/auth/app-credential';
import { adminConsentUrl, exchangeOnBehalfOf } from '../infra/auth/on-behalf-of';
import { createSandboxTokenSource } from '../infra/auth/sandbox-token-source';
import { SsoTokenValidator } from '../infra/auth/sso-token-validator';
import type { IssuedToken } from '../features/shared/delegated-token';
import type { Clock } from '../infra/clock';
import type { Config } from '../infra/config';
import { createGraphApi, type DelegatedGraphFactory, type SharedGraphApi } from '../infra/graph/graph-api';
import type { Logger } from '../infra/logger';

/** Who the bot is in Graph, and how it comes to act as the approver. */
export interface GraphWiring {
  /** The bot's own read-only identity: lookups, group membership, the failure monitor. */
  readonly readGraph: SharedGraphApi;
  /** A Graph client acting as the approver; single approvals and bulk runs share it. */
  readonly delegatedGraph: DelegatedGraphFactory;
  /** On-behalf-of exchange of an approver's SSO token, in their tenant, for a Graph token. */
  readonly exchange: (tenantId: string, assertion: string) => Promise<IssuedToken>;
  /** Proves who clicked Approve or Resume and exchanges their sign-in. */
  readonly signIn: ApproverSignIn;
  /** The app's own credential, to seal an approver's sign-in for a bulk run so a restart resumes it. */
  readonly sealKey: Buffer | undefined;
}

/** Builds the Graph clients and the approver sign-in from the app registration in the config. */
export function wireGraph(config: Config, clock: Clock, logger: Logger): GraphWiring {
  const scope = graphScope(config.graphBaseUrl);
  const retry = {
    timeoutMs: config.graphTimeoutMs,
    sleep: (ms: number) => clock.sleep(ms),
    now: () => clock.now(),
  };
  const appCredential = createAppCredential(config.aad);
  const readGraph = createGraphApi({
    baseUrl: config.graphBaseUrl,
    retry,
    // The credential stamps expiry with the system clock, so the cache compares against the same clock.
    token: cachedAppToken(appCredential, scope, Date.now),
  });
  const delegatedGraph: DelegatedGraphFactory = (token, correlationId) =>
    createGraphApi({ baseUrl: config.graphBaseUrl, token, correlationId, retry });
  const exchange = (tenantId: string, assertion: string) =>
    exchangeOnBehalfOf(config.aad, tenantId, assertion, scope);
  const sandboxSsoToken = config.sandboxMode ? createSandboxTokenSource(config, { logger }) : undefined;
  const signIn = new ApproverSignIn({
    validator: new SsoTokenValidator({
      authorityHost: config.aad.authorityHost,
      audiences: [config.aad.clientId, config.aad.appIdUri],
      allowedTenantIds: config.allowedTenantIds,
      clock,
    }),
    exchange,
    adminConsentUrl: (tenantId) => adminConsentUrl(config.aad, tenantId),
    logger,
    ...(sandboxSsoToken ? { sandboxSsoToken } : {}),
  });
  return { readGraph, delegatedGraph, exchange, signIn, sealKey: sealKey(config.aad) };
}

function sealKey(aad: Config['aad']): Buffer | undefined {
  const secret =
    aad.clientSecret ??
    (aad.certificatePath ? readFileSync(path.resolve(aad.certificatePath), 'utf8') : undefined);
  return secret ? Buffer.from(secret, 'utf8') : undefined;
}
