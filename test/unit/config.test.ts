import { ConfigError, loadConfig, type Env } from '../../src/infra/config';

const TENANT = 'aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa';
const CLIENT = 'cccccccc-cccc-cccc-cccc-cccccccccccc';
const BOT = 'bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb';
const minimal: Env = {
  AAD_APP_CLIENT_ID: CLIENT,
  AAD_APP_TENANT_ID: TENANT,
  AAD_APP_CLIENT_SECRET: 's3cret',
};

function problems(env: Env): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(minimal);
    expect(c).toMatchObject({
      port: 3978,
      localMode: true,
      graphBaseUrl: 'https://graph.microsoft.com',
      dataDir: './.data',
      allowedTenantIds: [TENANT],
      aad: { authorityHost: 'https://login.microsoftonline.com', appIdUri: `api://botid-${CLIENT}` },
    });
    expect(Object.isFrozen(c.aad)).toBe(true);
  });

  it.each<[Env, 'json' | 'pretty']>([
    [{}, 'json'],
    [{ LOG_FORMAT: 'pretty' }, 'pretty'],
    [{ LOG_FORMAT: 'json' }, 'json'],
  ])('logs as %j says: %s', (env, format) => {
    expect(loadConfig({ ...minimal, ...env }).logFormat).toBe(format);
  });

  it('derives the Application ID URI from BOT_ID', () => {
    const c = loadConfig({ ...minimal, BOT_ID: BOT, BOT_PASSWORD: 'p', OAUTH_CONNECTION_NAME: 'sign-in' });
    expect(c.aad.appIdUri).toBe(`api://botid-${BOT}`);
    expect(c.localMode).toBe(false);
  });

  it('names every bad key at once', () => {
    const found = problems({
      PORT: 'eighty',
      AAD_APP_CLIENT_ID: 'not-a-guid',
      AAD_APP_OAUTH_AUTHORITY_HOST: 'http://login.example.com',
      GRAPH_BASE_URL: 'http://graph.example.com',
      ALLOWED_TENANT_IDS: `${TENANT},contoso`,
    });
    const keys = found.map((p) => p.split(' ')[0]);
    expect(keys).toEqual(
      expect.arrayContaining([
        'PORT',
        'AAD_APP_CLIENT_ID',
        'AAD_APP_TENANT_ID',
        'AAD_APP_OAUTH_AUTHORITY_HOST',
        'GRAPH_BASE_URL',
        'AAD_APP_CLIENT_SECRET',
        'ALLOWED_TENANT_IDS',
      ]),
    );
  });

  it.each<[string, Env, RegExp]>([
    [
      'production without BOT_ID',
      { ...minimal, NODE_ENV: 'production' },
      /^BOT_ID is required when NODE_ENV=production/,
    ],
    ['BOT_ID without password', { ...minimal, BOT_ID: BOT }, /^BOT_PASSWORD is required/],
    [
      'single tenant without tenant',
      { ...minimal, BOT_ID: BOT, BOT_PASSWORD: 'p', BOT_TYPE: 'SingleTenant' },
      /^BOT_TENANT_ID is required/,
    ],
    ['bad bot type', { ...minimal, BOT_TYPE: 'Anything' }, /^BOT_TYPE/],
    ['a log format other than json or pretty', { ...minimal, LOG_FORMAT: 'text' }, /^LOG_FORMAT/],
    [
      'BOT_ID without an OAuth connection for card sign-in',
      { ...minimal, BOT_ID: BOT, BOT_PASSWORD: 'p', OAUTH_CONNECTION_NAME: ' ' },
      /^OAUTH_CONNECTION_NAME is required when BOT_ID is set/,
    ],
    [
      'a plain-http token service',
      { ...minimal, BOT_OAUTH_URL: 'http://token.example.com' },
      /^BOT_OAUTH_URL/,
    ],
  ])('refuses %s', (_name, env, expected) => {
    expect(problems(env).some((p) => expected.test(p))).toBe(true);
  });

  it('refuses an http Graph URL even on loopback, and says why; https on loopback is the local simulator', () => {
    expect(loadConfig({ ...minimal, GRAPH_BASE_URL: 'https://127.0.0.1:4443' }).graphBaseUrl).toBe(
      'https://127.0.0.1:4443',
    );
    for (const url of ['http://127.0.0.1:4443', 'http://localhost:4443', 'http://graph.example.com']) {
      expect(problems({ ...minimal, GRAPH_BASE_URL: url })).toEqual([
        'GRAPH_BASE_URL must use https, even on loopback: the Graph client sends its access token to https hosts only, so over http every call would go out unauthenticated',
      ]);
    }
  });

  it('still allows http on loopback where the token does not depend on it (OpenID metadata)', () => {
    expect(
      problems({ ...minimal, BOT_OPENID_METADATA_URL: 'http://127.0.0.1:5000/.well-known/openid' }),
    ).toEqual([]);
    expect(problems({ ...minimal, BOT_OPENID_METADATA_URL: 'http://example.com/openid' })[0]).toMatch(
      /^BOT_OPENID_METADATA_URL must use https \(http is allowed on loopback only\)/,
    );
  });

  it('never puts a secret into its error text', () => {
    const text = problems({ ...minimal, AAD_APP_CLIENT_SECRET: 'hunter2-secret', PORT: 'x' }).join('\n');
    expect(text).not.toContain('hunter2-secret');
  });
});

describe('client credentials', () => {
  it('accepts a federated managed identity instead of a secret', () => {
    const c = loadConfig({
      AAD_APP_CLIENT_ID: CLIENT,
      AAD_APP_TENANT_ID: TENANT,
      AAD_APP_MANAGED_IDENTITY_CLIENT_ID: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
    });
    expect(c.aad.managedIdentityClientId).toBe('dddddddd-dddd-dddd-dddd-dddddddddddd');
    expect(c.aad.clientSecret).toBeUndefined();
  });

  it('accepts a certificate path instead of a secret', () => {
    const c = loadConfig({
      AAD_APP_CLIENT_ID: CLIENT,
      AAD_APP_TENANT_ID: TENANT,
      AAD_APP_CERTIFICATE_PATH: '/run/secrets/app.pem',
    });
    expect(c.aad.certificatePath).toBe('/run/secrets/app.pem');
  });
});

describe('rules across keys', () => {
  const LOOPBACK_AUTHORITY = 'https://127.0.0.1:9443';
  const asDeployed: Env = { ...minimal, BOT_ID: BOT, BOT_PASSWORD: 'p', OAUTH_CONNECTION_NAME: 'sign-in' };

  it.each<[string, Env, string[]]>([
    [
      'production without BOT_ID',
      { ...minimal, NODE_ENV: 'production' },
      ['BOT_ID is required when NODE_ENV=production (local mode turns inbound authentication off)'],
    ],
    [
      'BOT_ID without a password (MultiTenant by default)',
      { ...asDeployed, BOT_PASSWORD: undefined },
      ['BOT_PASSWORD is required with BOT_TYPE=MultiTenant'],
    ],
    [
      'SingleTenant without password or tenant',
      { ...asDeployed, BOT_PASSWORD: '', BOT_TYPE: 'SingleTenant' },
      [
        'BOT_PASSWORD is required with BOT_TYPE=SingleTenant',
        'BOT_TENANT_ID is required with BOT_TYPE=SingleTenant',
      ],
    ],
    [
      'UserAssignedMsi without a tenant',
      { ...asDeployed, BOT_PASSWORD: undefined, BOT_TYPE: 'UserAssignedMsi' },
      ['BOT_TENANT_ID is required with BOT_TYPE=UserAssignedMsi'],
    ],
    [
      'BOT_ID without an OAuth connection',
      { ...asDeployed, OAUTH_CONNECTION_NAME: undefined },
      [
        'OAUTH_CONNECTION_NAME is required when BOT_ID is set: the Azure Bot OAuth connection that approvers sign in through when Teams cannot sign them in silently (Teams may ignore a sign-in request without it)',
      ],
    ],
    [
      'no client credential',
      { ...minimal, AAD_APP_CLIENT_SECRET: ' ' },
      [
        'AAD_APP_CLIENT_SECRET is required, or AAD_APP_CERTIFICATE_PATH or AAD_APP_MANAGED_IDENTITY_CLIENT_ID instead (the on-behalf-of exchange needs a client credential)',
      ],
    ],
    [
      'the sandbox in production',
      {
        ...asDeployed,
        NODE_ENV: 'production',
        SANDBOX_MODE: 'true',
        AAD_APP_OAUTH_AUTHORITY_HOST: LOOPBACK_AUTHORITY,
      },
      ['SANDBOX_MODE is refused when NODE_ENV=production'],
    ],
    [
      'the sandbox against a real authority',
      { ...minimal, SANDBOX_MODE: 'true' },
      ['SANDBOX_MODE is refused unless AAD_APP_OAUTH_AUTHORITY_HOST is a loopback simulator'],
    ],
    [
      'an admin that is not an object id',
      { ...minimal, ADMIN_USER_IDS: `${BOT}; alice@contoso.com` },
      ['ADMIN_USER_IDS "alice@contoso.com" is not an Entra object id (GUID)'],
    ],
    [
      'a tenant that is not a GUID',
      { ...minimal, ALLOWED_TENANT_IDS: 'contoso.onmicrosoft.com' },
      ['ALLOWED_TENANT_IDS "contoso.onmicrosoft.com" is not a tenant id (GUID)'],
    ],
    [
      'a monitor interval under a minute in production',
      { ...asDeployed, NODE_ENV: 'production', MONITOR_INTERVAL: '59s' },
      [
        'MONITOR_INTERVAL must be at least 1m when NODE_ENV=production: each scan reads the tenant through Graph, and a shorter interval spends its budget on repeats',
      ],
    ],
    [
      'a monitor interval under a second anywhere',
      { ...minimal, MONITOR_INTERVAL: '1ms' },
      ['MONITOR_INTERVAL must be at least 1s'],
    ],
    [
      'no share of Graph for the monitor',
      { ...minimal, MONITOR_GRAPH_SHARE: '0' },
      ['MONITOR_GRAPH_SHARE must be a share of Graph’s read quota above 0 and at most 1, e.g. 0.25'],
    ],
    [
      'more than all of Graph for the monitor',
      { ...minimal, MONITOR_GRAPH_SHARE: '1.5' },
      ['MONITOR_GRAPH_SHARE must be a share of Graph’s read quota above 0 and at most 1, e.g. 0.25'],
    ],
    [
      'a page budget of nothing',
      { ...minimal, MONITOR_PAGE_BUDGET: '0' },
      ['MONITOR_PAGE_BUDGET Number must be greater than or equal to 1'],
    ],
  ])('refuses %s, and says only that', (_name, env, expected) => {
    expect(problems(env)).toEqual(expected);
  });

  it.each<[string, Env]>([
    ['production with a bot identity', { ...asDeployed, NODE_ENV: 'production' }],
    ['production scanning every minute', { ...asDeployed, NODE_ENV: 'production', MONITOR_INTERVAL: '1m' }],
    ['development scanning every second', { ...minimal, MONITOR_INTERVAL: '1s' }],
    [
      'SingleTenant with password and tenant',
      { ...asDeployed, BOT_TYPE: 'SingleTenant', BOT_TENANT_ID: TENANT },
    ],
    [
      'UserAssignedMsi with a tenant and no password',
      { ...asDeployed, BOT_PASSWORD: undefined, BOT_TYPE: 'UserAssignedMsi', BOT_TENANT_ID: TENANT },
    ],
    ['local mode without password or OAuth connection', { ...minimal, BOT_TYPE: 'SingleTenant' }],
    [
      'the sandbox against a loopback simulator',
      { ...minimal, SANDBOX_MODE: 'true', AAD_APP_OAUTH_AUTHORITY_HOST: LOOPBACK_AUTHORITY },
    ],
  ])('accepts %s', (_name, env) => {
    expect(problems(env)).toEqual([]);
  });

  it.each<[string, Env, string]>([
    ['a bad BOT_TYPE', { ...asDeployed, BOT_PASSWORD: undefined, BOT_TYPE: 'Anything' }, 'BOT_TYPE'],
    [
      'a managed identity that is not a GUID',
      { ...minimal, AAD_APP_CLIENT_SECRET: undefined, AAD_APP_MANAGED_IDENTITY_CLIENT_ID: 'mi' },
      'AAD_APP_MANAGED_IDENTITY_CLIENT_ID',
    ],
  ])('reports %s on its own, not as a rule it keeps from being checked', (_name, env, key) => {
    expect(problems(env).map((p) => p.split(' ')[0])).toEqual([key]);
  });

  it('checks a rule even when an unrelated key is bad', () => {
    expect(problems({ ...minimal, NODE_ENV: 'production', PORT: 'eighty' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^PORT /),
        expect.stringMatching(/^BOT_ID is required when NODE_ENV=production/),
      ]),
    );
  });

  it('gives lists and durations in the form callers use', () => {
    const c = loadConfig({
      ...minimal,
      ADMIN_USER_IDS: `${BOT.toUpperCase()}, ${CLIENT}`,
      ALLOWED_TENANT_IDS: `${TENANT.toUpperCase()};${BOT}`,
      MONITOR_INTERVAL: '5m',
      SANDBOX_MODE: 'false',
    });
    expect(c.governance.adminUserIds).toEqual([BOT, CLIENT]);
    expect(c.allowedTenantIds).toEqual([TENANT, BOT]);
    expect(c.notifications.monitorIntervalMs).toBe(300_000);
    expect(c.sandboxMode).toBe(false);
  });
});
