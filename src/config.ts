import { z } from 'zod';

/** Environment as handed to the process; tests pass their own record instead of process.env. */
export type Env = Readonly<Record<string, string | undefined>>;

/** Raised when the environment is unusable; the message lists every bad key at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Batches a bulk run keeps in flight unless BULK_CONCURRENCY says otherwise; the benchmark reports it. */
export const DEFAULT_BULK_CONCURRENCY = 8;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True when a URL points at this machine: the only place plain http or test-only shortcuts are allowed. */
export function isLoopbackUrl(value: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(value).hostname);
  } catch {
    return false;
  }
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const guid = z
  .string()
  .trim()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID');
const httpsUrl = z
  .string()
  .trim()
  .url('must be a URL')
  .refine((v) => v.startsWith('https://'), 'must use https');
const secureUrl = z
  .string()
  .trim()
  .url('must be a URL')
  .refine(
    (v) => v.startsWith('https://') || isLoopbackUrl(v),
    'must use https (http is allowed on loopback only)',
  );
/**
 * Graph's endpoint must be https even on loopback: @microsoft/microsoft-graph-client attaches the bearer token
 * to https URLs only, so over http every call would go out without it (and be answered 401).
 */
const graphUrl = z
  .string()
  .trim()
  .url('must be a URL')
  .refine(
    (v) => v.startsWith('https://'),
    'must use https, even on loopback: the Graph client sends its access token to https hosts only, so over http every call would go out unauthenticated',
  );
const intIn = (min: number, max: number, fallback: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

const schema = z.object({
  NODE_ENV: z.preprocess(blankToUndefined, z.string().default('development')),
  PORT: intIn(0, 65535, 3978),
  HOST: z.preprocess(blankToUndefined, z.string().default('0.0.0.0')),
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  BOT_ID: optionalString,
  BOT_PASSWORD: optionalString,
  BOT_TYPE: z.preprocess(
    blankToUndefined,
    z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMsi']).default('MultiTenant'),
  ),
  BOT_TENANT_ID: z.preprocess(blankToUndefined, guid.optional()),
  OAUTH_CONNECTION_NAME: z.preprocess(blankToUndefined, z.string().trim().default('')),
  BOT_OPENID_METADATA_URL: z.preprocess(blankToUndefined, secureUrl.optional()),
  BOT_OAUTH_URL: z.preprocess(blankToUndefined, secureUrl.optional()),
  AAD_APP_CLIENT_ID: guid,
  AAD_APP_CLIENT_SECRET: optionalString,
  AAD_APP_CERTIFICATE_PATH: optionalString,
  AAD_APP_MANAGED_IDENTITY_CLIENT_ID: z.preprocess(blankToUndefined, guid.optional()),
  AAD_APP_TENANT_ID: guid,
  AAD_APP_OAUTH_AUTHORITY_HOST: z.preprocess(
    blankToUndefined,
    httpsUrl.default('https://login.microsoftonline.com'),
  ),
  AAD_APP_ID_URI: optionalString,
  GRAPH_BASE_URL: z.preprocess(blankToUndefined, graphUrl.default('https://graph.microsoft.com')),
  ALLOWED_TENANT_IDS: optionalString,
  DATA_DIR: z.preprocess(blankToUndefined, z.string().default('./.data')),
  INVOKE_DEADLINE_MS: intIn(0, 4500, 2500),
  GRAPH_TIMEOUT_MS: intIn(50, 300_000, 30_000),
  POLICY_FILE: optionalString,
  ADMIN_USER_IDS: optionalString,
  MONITOR_INTERVAL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .trim()
      .regex(/^\d+(ms|s|m|h)?$/, 'must be a duration such as 300, 90s, 5m or 1h')
      .optional(),
  ),
  NOTIFY_DIGEST_THRESHOLD: intIn(1, 1000, 5),
  BULK_CONCURRENCY: intIn(1, 32, DEFAULT_BULK_CONCURRENCY),
  BULK_MAX_TARGETS: intIn(1, 20_000, 5000),
  NOTIFY_WEBHOOK_SECRET: optionalString,
  STORAGE_CONNECTION_STRING: optionalString,
  STORAGE_CONTAINER: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(
        /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
        'must be a valid blob container name (3-63 lowercase letters, digits, dashes)',
      )
      .default('chatops-state'),
  ),
  SANDBOX_MODE: z.preprocess(blankToUndefined, z.enum(['true', 'false']).default('false')),
});

/** Rules across keys, checked on the raw environment so they are reported even when other keys are bad. */
function crossKeyProblems(raw: Env): string[] {
  const env = (key: string) => {
    const value = raw[key]?.trim();
    return value === '' ? undefined : value;
  };
  const problems: string[] = [];
  const botType = env('BOT_TYPE') ?? 'MultiTenant';
  if (!env('BOT_ID') && env('NODE_ENV') === 'production') {
    problems.push(
      'BOT_ID is required when NODE_ENV=production (local mode turns inbound authentication off)',
    );
  }
  if (env('BOT_ID') && botType !== 'UserAssignedMsi' && !env('BOT_PASSWORD')) {
    problems.push(`BOT_PASSWORD is required with BOT_TYPE=${botType}`);
  }
  if (env('BOT_ID') && botType !== 'MultiTenant' && !env('BOT_TENANT_ID')) {
    problems.push(`BOT_TENANT_ID is required with BOT_TYPE=${botType}`);
  }
  if (env('BOT_ID') && !env('OAUTH_CONNECTION_NAME')) {
    problems.push(
      'OAUTH_CONNECTION_NAME is required when BOT_ID is set: the Azure Bot OAuth connection that approvers sign in through when Teams cannot sign them in silently (Teams may ignore a sign-in request without it)',
    );
  }
  if (
    !env('AAD_APP_CLIENT_SECRET') &&
    !env('AAD_APP_CERTIFICATE_PATH') &&
    !env('AAD_APP_MANAGED_IDENTITY_CLIENT_ID')
  ) {
    problems.push(
      'AAD_APP_CLIENT_SECRET is required, or AAD_APP_CERTIFICATE_PATH or AAD_APP_MANAGED_IDENTITY_CLIENT_ID instead (the on-behalf-of exchange needs a client credential)',
    );
  }
  for (const id of splitList(env('ADMIN_USER_IDS') ?? '')) {
    if (!guid.safeParse(id).success) problems.push(`ADMIN_USER_IDS "${id}" is not an Entra object id (GUID)`);
  }
  if (env('SANDBOX_MODE') === 'true') {
    if (env('NODE_ENV') === 'production') problems.push('SANDBOX_MODE is refused when NODE_ENV=production');
    const authority = env('AAD_APP_OAUTH_AUTHORITY_HOST');
    if (!authority || !isLoopbackUrl(authority)) {
      problems.push('SANDBOX_MODE is refused unless AAD_APP_OAUTH_AUTHORITY_HOST is a loopback simulator');
    }
  }
  for (const id of splitList(env('ALLOWED_TENANT_IDS') ?? '')) {
    if (!guid.safeParse(id).success) problems.push(`ALLOWED_TENANT_IDS "${id}" is not a tenant id (GUID)`);
  }
  return problems;
}

function splitList(value: string): string[] {
  return value
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The validated, typed settings every module receives; nothing else reads the environment. */
export interface Config {
  readonly nodeEnv: string;
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  /** No BOT_ID: inbound Bot Framework authentication is off (local development only). */
  readonly localMode: boolean;
  readonly bot: {
    readonly id: string;
    readonly password: string | undefined;
    readonly type: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMsi';
    readonly tenantId: string | undefined;
    readonly openIdMetadataUrl: string | undefined;
    /**
     * The Azure Bot OAuth connection every card sign-in request names and magic codes are redeemed through;
     * required with BOT_ID, empty only in local mode (no token service there).
     */
    readonly oauthConnectionName: string;
    /** The Bot Framework token service (a data-residency region's, or a local fake); unset: botbuilder's default. */
    readonly oauthUrl: string | undefined;
  };
  readonly aad: {
    readonly clientId: string;
    readonly clientSecret: string | undefined;
    readonly certificatePath: string | undefined;
    /** A user-assigned managed identity federated with the app registration, instead of a secret. */
    readonly managedIdentityClientId: string | undefined;
    readonly tenantId: string;
    readonly authorityHost: string;
    readonly appIdUri: string;
  };
  readonly graphBaseUrl: string;
  readonly allowedTenantIds: readonly string[];
  readonly dataDir: string;
  readonly invokeDeadlineMs: number;
  /** One Graph attempt is aborted after this long; a write that times out is reported as outcome unknown. */
  readonly graphTimeoutMs: number;
  readonly governance: {
    /** Path of the approval policy (YAML); undefined means the safe default built from ADMIN_USER_IDS. */
    readonly policyFile: string | undefined;
    readonly adminUserIds: readonly string[];
  };
  readonly notifications: {
    /** How often the failure monitor runs; undefined means it is off. */
    readonly monitorIntervalMs: number | undefined;
    readonly digestThreshold: number;
    readonly webhookSecret: string | undefined;
  };
  readonly bulk: {
    /** JSON batches (20 requests each) one bulk run keeps in flight; Graph's throttling is still honoured. */
    readonly concurrency: number;
    /** The most targets one bulk remediation may have. */
    readonly maxTargets: number;
  };
  readonly storage: {
    /** Set: state lives in Azure Blob Storage, shared by every instance; unset: files in DATA_DIR. */
    readonly connectionString: string | undefined;
    readonly container: string;
  };
  /** Local sandbox only: approvers' tokens come from the simulated tenant (never in production). */
  readonly sandboxMode: boolean;
}

/** Parses 300 (seconds), 90s, 5m, 1h or 1500ms into milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new Error(`Not a duration: ${value}`);
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
}

/** Reads and validates the environment once, at start; throws a ConfigError naming every bad key. */
export function loadConfig(env: Env): Config {
  const parsed = schema.safeParse(env);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`)),
    ...crossKeyProblems(env),
  ];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;
  const botId = e.BOT_ID ?? '';
  const allowed = e.ALLOWED_TENANT_IDS ? splitList(e.ALLOWED_TENANT_IDS) : [e.AAD_APP_TENANT_ID];
  const config: Config = {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    localMode: botId === '',
    bot: {
      id: botId,
      password: e.BOT_PASSWORD,
      type: e.BOT_TYPE,
      tenantId: e.BOT_TENANT_ID,
      openIdMetadataUrl: e.BOT_OPENID_METADATA_URL,
      oauthConnectionName: e.OAUTH_CONNECTION_NAME,
      oauthUrl: e.BOT_OAUTH_URL?.replace(/\/+$/, ''),
    },
    aad: {
      clientId: e.AAD_APP_CLIENT_ID,
      clientSecret: e.AAD_APP_CLIENT_SECRET,
      certificatePath: e.AAD_APP_CERTIFICATE_PATH,
      managedIdentityClientId: e.AAD_APP_MANAGED_IDENTITY_CLIENT_ID,
      tenantId: e.AAD_APP_TENANT_ID,
      authorityHost: e.AAD_APP_OAUTH_AUTHORITY_HOST.replace(/\/+$/, ''),
      appIdUri: e.AAD_APP_ID_URI ?? `api://botid-${botId || e.AAD_APP_CLIENT_ID}`,
    },
    graphBaseUrl: e.GRAPH_BASE_URL.replace(/\/+$/, ''),
    allowedTenantIds: allowed.map((t) => t.toLowerCase()),
    dataDir: e.DATA_DIR,
    invokeDeadlineMs: e.INVOKE_DEADLINE_MS,
    graphTimeoutMs: e.GRAPH_TIMEOUT_MS,
    governance: {
      policyFile: e.POLICY_FILE,
      adminUserIds: e.ADMIN_USER_IDS ? splitList(e.ADMIN_USER_IDS).map((id) => id.toLowerCase()) : [],
    },
    notifications: {
      monitorIntervalMs: e.MONITOR_INTERVAL ? parseDuration(e.MONITOR_INTERVAL) : undefined,
      digestThreshold: e.NOTIFY_DIGEST_THRESHOLD,
      webhookSecret: e.NOTIFY_WEBHOOK_SECRET,
    },
    bulk: { concurrency: e.BULK_CONCURRENCY, maxTargets: e.BULK_MAX_TARGETS },
    storage: { connectionString: e.STORAGE_CONNECTION_STRING, container: e.STORAGE_CONTAINER },
    sandboxMode: e.SANDBOX_MODE === 'true',
  };
  return deepFreeze(config);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
