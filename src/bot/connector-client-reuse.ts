import {
  AuthenticationConstants,
  ConnectorFactory,
  type BotFrameworkAuthentication,
  type ClaimsIdentity,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import { sendActivitiesAsJson } from './activity-bodies';

/** Teams answers from a handful of regional service URLs; more clients than this means something odd, so start over. */
const MAX_CLIENTS = 32;

/** Clients shared by every turn of the process; a client whose creation failed is forgotten, so the next turn retries. */
export class ClientCache<T> {
  private readonly clients = new Map<string, Promise<T>>();

  get(key: string, create: () => Promise<T>): Promise<T> {
    const known = this.clients.get(key);
    if (known) return known;
    if (this.clients.size >= MAX_CLIENTS) this.clients.clear();
    const made = create();
    this.clients.set(key, made);
    made.catch(() => {
      if (this.clients.get(key) === made) this.clients.delete(key);
    });
    return made;
  }

  get size(): number {
    return this.clients.size;
  }
}

/** The bot identity botbuilder builds a turn's clients for: the audience of the channel's token (the app id for the emulator). */
export function botAppIdOf(claims: ClaimsIdentity): string {
  return (
    claims.getClaimValue(AuthenticationConstants.AudienceClaim) ??
    claims.getClaimValue(AuthenticationConstants.AppIdClaim) ??
    ''
  );
}

/**
 * botbuilder builds a new ConnectorClient (an HTTP pipeline of a dozen policies, its own serializer) for every
 * inbound activity; profiles put that at ~0.15 ms of a turn and a good share of its garbage. This factory hands
 * the turn one client per bot identity, audience and service URL, made once by botbuilder's own factory. The
 * clients hold no per-turn state: their credentials fetch (cached) tokens per request.
 */
export class ReusingConnectorFactory extends ConnectorFactory {
  constructor(
    private readonly cache: ClientCache<ConnectorClient>,
    private readonly inner: ConnectorFactory,
    private readonly appId: string,
  ) {
    super();
  }

  override create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    return this.cache.get(`${this.appId}\n${audience ?? ''}\n${serviceUrl}`, async () =>
      sendActivitiesAsJson(await this.inner.create(serviceUrl, audience)),
    );
  }
}

/**
 * botbuilder also builds a user-token client (another HTTP pipeline) for every inbound activity, for OAuth
 * prompts this bot never shows (it signs in through Teams SSO and on-behalf-of). This keeps one per bot
 * identity instead, on the adapter's own authentication object.
 */
export function reuseUserTokenClients(auth: BotFrameworkAuthentication): void {
  const create = auth.createUserTokenClient.bind(auth);
  const cache = new ClientCache<UserTokenClient>();
  auth.createUserTokenClient = (claims: ClaimsIdentity) =>
    cache.get(botAppIdOf(claims), () => create(claims));
}
