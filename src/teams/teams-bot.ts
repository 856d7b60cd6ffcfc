import { randomUUID } from 'node:crypto';
import { Application } from '@microsoft/teams-ai/lib/Application';
import { TeamsAdapter } from '@microsoft/teams-ai/lib/TeamsAdapter';
import {
  ActivityTypes,
  CallerIdConstants,
  CardFactory,
  StatusCodes,
  type Activity,
  type InvokeResponse,
  type Request,
  type Response,
  type TurnContext,
} from 'botbuilder';
import {
  AuthenticationConstants,
  AuthenticationError,
  type AuthenticateRequestResult,
} from 'botframework-connector';
import type { CardActionResponse, CardActionTurn } from '../features/shared/turns';
import type { CommandHandler } from '../features/remediate/command-handler';
import type { Config } from '../infra/config';
import type { Logger } from '../infra/logger';
import type { InstallationHandler } from '../features/notify/installation-tracker';
import { tenantOf, toCardActionTurn, toCommandTurn } from './activity-mapping';
import { BotCredentialsFactory } from './bot-credentials';
import { toInstallationEvents } from './installation-events';
import { failedBody, universalActionBody, type LoginSettings } from './invoke-response';
import { turnTokenService } from './token-service';

/** The domain handlers the bot layer dispatches to. */
export interface BotHandlers {
  readonly commands: Pick<CommandHandler, 'handle'>;
  readonly cardActions: { handle(turn: CardActionTurn): Promise<CardActionResponse> };
  /** Installation lifecycle, so proactive notifications know where the bot is; absent means ignored. */
  readonly installations?: InstallationHandler;
}

/** What the server needs of the Bot Framework layer: one POST to /api/messages in, its turn run and answered. */
export interface TeamsBot {
  /** Runs the turn of one POST to /api/messages and answers it; resolves once the answer is written. */
  process(req: Request, res: Response): Promise<void>;
}

/**
 * Public-cloud Bot Framework endpoints (botframework-connector's AuthenticationConstants). botbuilder switches
 * to "every endpoint is given" as soon as one is, so overriding only the OpenID metadata URL or the token
 * service would leave the token issuer check comparing against undefined (every channel token refused) and
 * outbound calls with no login URL; the rest are therefore passed explicitly alongside it.
 */
const PUBLIC_CLOUD = {
  ValidateAuthority: true,
  ToChannelFromBotOAuthScope: 'https://api.botframework.com',
  ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
  OAuthUrl: 'https://api.botframework.com',
  ToBotFromEmulatorOpenIdMetadataUrl:
    'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  CallerId: CallerIdConstants.PublicAzureChannel,
};

/**
 * The Teams adapter, hardened: botbuilder answers 401 only for its own AuthenticationError, while a token with
 * a forged signature fails inside jsonwebtoken with a plain error that became a 500 (and a misleading "server
 * error" to scanners). Here any failure to authenticate the request is a 401; nothing runs. The refusal is
 * answered here rather than thrown, because botbuilder prints what it catches to the console, a stack trace
 * per scanner's request among the JSON log lines; it is logged once, as a warning, without the header.
 */
class StrictAuthTeamsAdapter extends TeamsAdapter {
  constructor(
    settings: ConstructorParameters<typeof TeamsAdapter>[0],
    credentials: ConstructorParameters<typeof TeamsAdapter>[1],
    private readonly logger: Logger,
  ) {
    super(settings, credentials);
  }

  protected override async processActivity(
    auth: string | AuthenticateRequestResult,
    activity: Activity,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<InvokeResponse | undefined> {
    if (typeof auth !== 'string') return super.processActivity(auth, activity, logic);
    let result: AuthenticateRequestResult;
    try {
      result = await this.botFrameworkAuthentication.authenticateRequest(activity, auth);
    } catch (err) {
      const reason = err instanceof AuthenticationError ? err.message : 'The token could not be validated.';
      this.logger.warn(
        { reason, activityType: activity.type, channelId: activity.channelId, hasAuthorization: auth !== '' },
        'refused an inbound activity: not authenticated by the Bot Framework',
      );
      return {
        status: StatusCodes.UNAUTHORIZED,
        body: 'Unauthorized. The request could not be authenticated.',
      };
    }
    return super.processActivity(result, activity, logic);
  }
}

/**
 * Builds the adapter: Bot Framework authentication from config, off in local mode. The bot authenticates its
 * own calls (replies, the token service) through the configured Entra authority ({@link BotCredentialsFactory}).
 */
export function createAdapter(config: Config, logger: Logger): TeamsAdapter {
  const loginTenant = config.bot.type === 'MultiTenant' ? 'botframework.com' : (config.bot.tenantId ?? '');
  const { openIdMetadataUrl, oauthUrl } = config.bot;
  return new StrictAuthTeamsAdapter(
    {
      MicrosoftAppId: config.bot.id,
      MicrosoftAppPassword: config.bot.password ?? '',
      MicrosoftAppType: config.bot.type,
      MicrosoftAppTenantId: config.bot.tenantId ?? '',
      ...(openIdMetadataUrl || oauthUrl
        ? {
            ...PUBLIC_CLOUD,
            ToChannelFromBotLoginUrl: `${config.aad.authorityHost}/${loginTenant}`,
            ToBotFromChannelOpenIdMetadataUrl:
              openIdMetadataUrl ?? AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
            OAuthUrl: oauthUrl ?? PUBLIC_CLOUD.OAuthUrl,
          }
        : {}),
    },
    BotCredentialsFactory.fromConfig(config),
    logger,
  );
}

/**
 * What every loginRequest names. The fallback link serves local mode only, which has no token service: there
 * the sandbox signs approvers in itself, and Teams' silent SSO needs no link.
 */
export function loginSettings(config: Config): LoginSettings {
  const params = new URLSearchParams({
    client_id: config.aad.clientId,
    response_type: 'code',
    scope: `${config.aad.appIdUri}/access_as_user`,
  });
  return {
    appIdUri: config.aad.appIdUri,
    connectionName: config.bot.oauthConnectionName,
    fallbackSignInUrl: `${config.aad.authorityHost}/${config.aad.tenantId}/oauth2/v2.0/authorize?${params.toString()}`,
  };
}

/**
 * teams-ai's Application without its typing indicator. teams-ai 1.7's run() starts the typing timer whatever
 * `startTypingTimer` says; its "typing" send goes through the send limiter like every send, and its send hook
 * makes the turn's reply wait for that typing send. A reply waiting for its conversation's rate-limit window
 * and the typing send queued behind it then wait for each other, and the conversation stops for good.
 */
export class QuietApplication extends Application {
  override startTypingTimer(): void {}
}

/** The teams-ai application the bot runs on: no typing timer, mentions and long-running calls left alone. */
export function createApplication(adapter: TeamsAdapter, botAppId: string): Application {
  return new QuietApplication({
    adapter,
    botAppId,
    removeRecipientMention: false,
    startTypingTimer: false,
    longRunningMessages: false,
  });
}

/**
 * The thin Teams layer: one catch-all message route (the domain parses text itself, so teams-ai's
 * substring routes cannot misfire) and one invoke route for Universal Actions.
 */
export function createTeamsBot(
  config: Config,
  adapter: TeamsAdapter,
  handlers: () => BotHandlers,
  logger: Logger,
): TeamsBot {
  const app = createApplication(adapter, config.bot.id);
  const allowed = new Set(config.allowedTenantIds);
  const login = loginSettings(config);
  const isAllowed = (context: TurnContext) => {
    const tenant = tenantOf(context.activity);
    return tenant !== undefined && allowed.has(tenant);
  };

  const answerCardAction = async (context: TurnContext, correlationId: string) => {
    if (!isAllowed(context)) {
      logger.warn(
        { correlationId, tenant: tenantOf(context.activity) },
        'card action from a tenant that is not allowed',
      );
      return {
        kind: 'error',
        status: 403,
        code: 'TenantNotAllowed',
        message: 'This bot is not available to your organisation.',
      } as const;
    }
    const tokenService = config.localMode
      ? undefined
      : turnTokenService(context, config.bot.oauthConnectionName);
    return handlers().cardActions.handle(toCardActionTurn(context, correlationId, tokenService));
  };

  app.addRoute(
    async (context) =>
      context.activity.type === ActivityTypes.Invoke && context.activity.name === 'adaptiveCard/action',
    async (context) => {
      const correlationId = randomUUID();
      let body: Record<string, unknown>;
      try {
        body = universalActionBody(await answerCardAction(context, correlationId), login, correlationId);
      } catch (err) {
        // Unanswered, the invoke would reach Teams as botbuilder's empty 501 ("Unable to reach app").
        logger.error({ correlationId, err: describeError(err) }, 'card action failed');
        body = failedBody(correlationId);
      }
      // Every adaptiveCard/action invoke is answered HTTP 200; the body's statusCode says how it went.
      await context.sendActivity({ type: ActivityTypes.InvokeResponse, value: { status: 200, body } });
    },
    true,
  );

  app.activity(ActivityTypes.Message, async (context) => {
    const correlationId = randomUUID();
    if (!isAllowed(context)) {
      logger.warn(
        { correlationId, tenant: tenantOf(context.activity) },
        'message from a tenant that is not allowed; ignored',
      );
      return;
    }
    const turn = toCommandTurn(context, correlationId);
    await handlers().commands.handle(turn, {
      sendCard: async (card, summary) => {
        const sent = await context.sendActivity({
          type: 'message',
          summary,
          attachments: [CardFactory.adaptiveCard(card)],
        });
        return sent?.id;
      },
    });
  });

  const onInstallation = async (context: TurnContext) => {
    const installations = handlers().installations;
    if (!installations) return;
    const correlationId = randomUUID();
    if (!isAllowed(context)) {
      logger.warn(
        { correlationId, tenant: tenantOf(context.activity) },
        'installation event from a tenant that is not allowed; ignored',
      );
      return;
    }
    for (const event of toInstallationEvents(context.activity))
      await installations.handle(event, correlationId);
  };
  app.activity(ActivityTypes.InstallationUpdate, onInstallation);
  app.activity(ActivityTypes.ConversationUpdate, onInstallation);

  app.error(async (context, err) => {
    logger.error({ err: describeError(err), type: context.activity.type }, 'turn failed');
    if (context.activity.type === ActivityTypes.Message) {
      await context.sendActivity(
        'Something went wrong on my side and nothing was changed. Please try again.',
      );
    }
  });

  return {
    async process(req, res) {
      await adapter.process(req, res, async (context) => {
        await app.run(context);
      });
    },
  };
}

function describeError(err: unknown): Record<string, unknown> {
  return err instanceof Error
    ? { name: err.name, message: err.message, stack: err.stack }
    : { message: String(err) };
}
