import {
  AuthenticationConstants,
  ClaimsIdentity,
  ConnectorFactory,
  type BotFrameworkAuthentication,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import {
  botAppIdOf,
  ClientCache,
  ReusingConnectorFactory,
  reuseUserTokenClients,
} from '../../src/bot/connector-client-reuse';

/**
 * The bot layer keeps botbuilder's connector and user-token clients across turns. What must hold: one client
 * per bot identity, audience and service URL, never one for another's; a failed creation is not kept.
 */
const BOT = 'b0000000-0000-4000-8000-0000000000b1';
const OTHER_BOT = 'b0000000-0000-4000-8000-0000000000b2';

function claims(audience: string | undefined, appId?: string): ClaimsIdentity {
  return new ClaimsIdentity([
    ...(audience ? [{ type: AuthenticationConstants.AudienceClaim, value: audience }] : []),
    ...(appId ? [{ type: AuthenticationConstants.AppIdClaim, value: appId }] : []),
  ]);
}

class CountingFactory extends ConnectorFactory {
  readonly made: string[] = [];
  failNext = false;
  override async create(serviceUrl: string, audience?: string): Promise<ConnectorClient> {
    this.made.push(`${audience ?? '-'} ${serviceUrl}`);
    if (this.failNext) {
      this.failNext = false;
      throw new Error('no token');
    }
    return { serviceUrl, audience, sendOperationRequest: async () => ({}) } as unknown as ConnectorClient;
  }
}

describe('botAppIdOf', () => {
  it.each([
    ['the audience of a channel token', claims(BOT, 'channel-app'), BOT],
    ['the app id claim of an emulator token', claims(undefined, BOT), BOT],
    ['nothing for anonymous claims (local mode)', claims(undefined), ''],
  ])('reads %s', (_what, identity, expected) => {
    expect(botAppIdOf(identity)).toBe(expected);
  });
});

describe('ReusingConnectorFactory', () => {
  it.each([
    ['the same turn target twice', [BOT, 'https://smba/emea/', 'aud'], [BOT, 'https://smba/emea/', 'aud'], 1],
    ['another service URL', [BOT, 'https://smba/emea/', 'aud'], [BOT, 'https://smba/amer/', 'aud'], 2],
    ['another audience', [BOT, 'https://smba/emea/', 'aud'], [BOT, 'https://smba/emea/', 'other'], 2],
    ['another bot identity', [BOT, 'https://smba/emea/', 'aud'], [OTHER_BOT, 'https://smba/emea/', 'aud'], 2],
  ])('for %s makes %s client(s)', async (_what, first, second, expected) => {
    const cache = new ClientCache<ConnectorClient>();
    const inner = new CountingFactory();
    const [a, b] = await Promise.all(
      [first, second].map(([bot, url, audience]) =>
        new ReusingConnectorFactory(cache, inner, bot as string).create(url as string, audience as string),
      ),
    );
    expect(inner.made).toHaveLength(expected);
    expect(a === b).toBe(expected === 1);
  });

  it('forgets a client whose creation failed, so the next turn tries again', async () => {
    const cache = new ClientCache<ConnectorClient>();
    const inner = new CountingFactory();
    const factory = new ReusingConnectorFactory(cache, inner, BOT);
    inner.failNext = true;
    await expect(factory.create('https://smba/emea/')).rejects.toThrow('no token');
    await expect(factory.create('https://smba/emea/')).resolves.toMatchObject({
      serviceUrl: 'https://smba/emea/',
      audience: undefined,
    });
    expect(inner.made).toHaveLength(2);
    expect(cache.size).toBe(1);
  });

  it('starts over instead of growing past its bound', async () => {
    const cache = new ClientCache<ConnectorClient>();
    const inner = new CountingFactory();
    const factory = new ReusingConnectorFactory(cache, inner, BOT);
    for (let i = 0; i < 40; i++) await factory.create(`https://smba/${i}/`);
    expect(cache.size).toBeLessThanOrEqual(32);
    await factory.create('https://smba/39/');
    expect(inner.made).toHaveLength(40);
  });
});

describe('reuseUserTokenClients', () => {
  it('keeps one user-token client per bot identity', async () => {
    const made: string[] = [];
    const auth = {
      createUserTokenClient: async (identity: ClaimsIdentity) => {
        made.push(botAppIdOf(identity));
        return { id: made.length } as unknown as UserTokenClient;
      },
    } as unknown as BotFrameworkAuthentication;
    reuseUserTokenClients(auth);
    const first = await auth.createUserTokenClient(claims(BOT));
    const again = await auth.createUserTokenClient(claims(BOT, 'channel-app'));
    const other = await auth.createUserTokenClient(claims(OTHER_BOT));
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(made).toEqual([BOT, OTHER_BOT]);
  });
});
