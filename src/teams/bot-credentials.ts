import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import {
  AuthenticationConstants,
  ServiceClientCredentialsFactory,
  TokenCredentials,
  type ServiceClientCredentials,
} from 'botframework-connector';
import { identityOptions } from '../infra/auth/app-credential';
import type { Config } from '../infra/config';

/**
 * The bot's own credential for what it calls in Bot Framework (connector replies, the token service), from
 * @azure/identity against the configured Entra authority like every other credential of the app. botbuilder's
 * password factory always asks login.microsoftonline.com to discover the authority first, so it cannot use a
 * national cloud's host by configuration nor the loopback Entra of the tests.
 */
export class BotCredentialsFactory extends ServiceClientCredentialsFactory {
  constructor(
    private readonly appId: string,
    private readonly credential: TokenCredential,
  ) {
    super();
  }

  /** The factory for a bot with a client secret; undefined for a managed identity (botbuilder's own then). */
  static fromConfig(config: Config): BotCredentialsFactory | undefined {
    const { id, password, type, tenantId } = config.bot;
    if (!id || !password || type === 'UserAssignedMsi') return undefined;
    const tenant =
      type === 'MultiTenant' ? AuthenticationConstants.DefaultChannelAuthTenant : (tenantId ?? '');
    return new BotCredentialsFactory(
      id,
      new ClientSecretCredential(tenant, id, password, identityOptions(config.aad)),
    );
  }

  async isValidAppId(appId: string): Promise<boolean> {
    return appId === this.appId;
  }

  async isAuthenticationDisabled(): Promise<boolean> {
    return false;
  }

  async createCredentials(appId: string, audience: string | undefined): Promise<ServiceClientCredentials> {
    if (appId !== this.appId) throw new Error('Invalid appId.');
    const scope = `${audience || AuthenticationConstants.ToChannelFromBotOAuthScope}/.default`;
    return {
      signRequest: async (request) => {
        const token = await this.credential.getToken(scope);
        if (!token) throw new Error(`No token for ${scope}`);
        return new TokenCredentials(token.token).signRequest(request);
      },
    };
  }
}
