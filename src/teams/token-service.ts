import { CloudAdapterBase, type TurnContext } from 'botbuilder';
import type { UserTokenClient } from 'botframework-connector';
import { TokenServiceUnavailable, type TokenService } from '../features/shared/turns';

/**
 * The Bot Framework token service for one card click, through botbuilder's UserTokenClient (the turn's,
 * authenticated as the bot): `getSignInResource` for the loginRequest's sign-in link and `getUserToken` with
 * the magic code Teams sends in value.state after the sign-in (learn.microsoft.com/microsoftteams/platform/
 * task-modules-and-cards/cards/universal-actions-for-adaptive-cards/authentication-flow-in-universal-action-for-adaptive-cards).
 */
export function turnTokenService(context: TurnContext, connectionName: string): TokenService | undefined {
  const adapter = context.adapter;
  if (!(adapter instanceof CloudAdapterBase)) return undefined;
  const client = context.turnState.get<UserTokenClient | undefined>(adapter.UserTokenClientKey);
  if (!client) return undefined;
  const activity = context.activity;
  return {
    async signInLink() {
      const resource = await call('GetSignInResource', () =>
        client.getSignInResource(connectionName, activity, ''),
      );
      if (!resource?.signInLink) throw new TokenServiceUnavailable('GetSignInResource gave no sign-in link');
      return resource.signInLink;
    },
    async redeem(magicCode) {
      const userId = activity.from?.id;
      if (!userId) return undefined;
      const answer = await call('GetToken', () =>
        client.getUserToken(userId, connectionName, activity.channelId, magicCode),
      );
      return typeof answer?.token === 'string' && answer.token !== '' ? answer.token : undefined;
    },
  };
}

/**
 * How long a click waits for the token service: every invoke is answered within seconds (INVOKE_DEADLINE_MS,
 * docs/operations.md), while botbuilder's client retries a refused connection or a 5xx with backoff for about 6 s.
 */
export const TOKEN_SERVICE_TIMEOUT_MS = 2000;

/**
 * Runs one token service call; any failure to get a documented answer in time is the service being
 * unavailable. The reason names the status or network error only: the client's own message can carry the
 * request URL, whose query holds the magic code.
 */
async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new TokenServiceUnavailable(`${operation}: no answer within ${TOKEN_SERVICE_TIMEOUT_MS} ms`)),
      TOKEN_SERVICE_TIMEOUT_MS,
    );
    timer.unref();
  });
  try {
    return await Promise.race([run(), late]);
  } catch (err) {
    if (err instanceof TokenServiceUnavailable) throw err;
    const { statusCode, code, name } = err as { statusCode?: unknown; code?: unknown; name?: unknown };
    const why =
      typeof statusCode === 'number' ? `HTTP ${statusCode}` : String(code ?? name ?? 'unknown error');
    throw new TokenServiceUnavailable(`${operation} failed: ${why}`);
  } finally {
    clearTimeout(timer);
  }
}
