import { z } from 'zod';
import { GUID } from './graph/odata';

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

/** The shortest MONITOR_INTERVAL with NODE_ENV=production, and anywhere else (development, tests, the sandbox). */
export const MONITOR_FLOOR_PRODUCTION_MS = 60_000;
export const MONITOR_FLOOR_MS = 1000;

/** Parses 300 (seconds), 90s, 5m, 1h or 1500ms into milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new Error(`Not a duration: ${value}`);
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  return n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
}

/** VERIFY_AFTER's durations in milliseconds, ascending and without repeats; none when it is empty. */
export function parseVerifyAfter(value: string): number[] {
  if (value.trim() === '') return [];
  return [...new Set(value.split(',').map(parseDuration))].sort((a, b) => a - b);
}

/** An unset key and a blank one mean the same: the key's default. */
const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const unsetOr = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(blankToUndefined, schema);
const optionalString = unsetOr(z.string().trim().optional());
const guid = z.string().trim().regex(GUID, 'must be a GUID');
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
  unsetOr(z.coerce.number().int().min(min).max(max).default(fallback));
const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/** A comma, semicolon or space separated list of GUIDs, lower-cased; undefined when the key is unset. */
const guidList = (what: string) =>
  optionalString.transform((value, ctx): readonly string[] | undefined => {
    if (value === undefined) return undefined;
    const ids = value
      .split(/[,;\s]+/)
      .map((s) => s.trim())
      .filter(Boolean);
    for (const id of ids.filter((id) => !GUID.test(id))) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `"${id}" is not ${what}` });
    }
    return ids.map((id) => id.toLowerCase());
  });

/** Every key on its own: its type, its default and what a bad value is told. */
const keys = {
  NODE_ENV: unsetOr(z.string().default('development')),
  PORT: intIn(0, 65535, 3978),
  HOST: unsetOr(z.string().default('0.0.0.0')),
  LOG_LEVEL: unsetOr(z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
  LOG_FORMAT: unsetOr(z.enum(['json', 'pretty']).default('json')),
  BOT_ID: unsetOr(z.string().trim().default('')),
  BOT_PASSWORD: optionalString,
  BOT_TYPE: unsetOr(z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMsi']).default('MultiTenant')),
  BOT_TENANT_ID: unsetOr(guid.optional()),
  OAUTH_CONNECTION_NAME: unsetOr(z.string().trim().default('')),
  BOT_OPENID_METADATA_URL: unsetOr(secureUrl.optional()),
  BOT_OAUTH_URL: unsetOr(secureUrl.transform(withoutTrailingSlash).optional()),
  AAD_APP_CLIENT_ID: guid,
  AAD_APP_CLIENT_SECRET: optionalString,
  AAD_APP_CERTIFICATE_PATH: optionalString,
  AAD_APP_MANAGED_IDENTITY_CLIENT_ID: unsetOr(guid.optional()),
  AAD_APP_TENANT_ID: guid,
  AAD_APP_OAUTH_AUTHORITY_HOST: unsetOr(
    httpsUrl.default('https://login.microsoftonline.com').transform(withoutTrailingSlash),
  ),
  AAD_APP_ID_URI: optionalString,
  GRAPH_BASE_URL: unsetOr(graphUrl.default('https://graph.microsoft.com').transform(withoutTrailingSlash)),
  ALLOWED_TENANT_IDS: guidList('a tenant id (GUID)'),
  DATA_DIR: unsetOr(z.string().default('./.data')),
  INVOKE_DEADLINE_MS: intIn(0, 4500, 2500),
  GRAPH_TIMEOUT_MS: intIn(50, 300_000, 30_000),
  POLICY_FILE: optionalString,
  ADMIN_USER_IDS: guidList('an Entra object id (GUID)'),
  MONITOR_INTERVAL: unsetOr(
    z
      .string()
      .trim()
      .regex(/^\d+(ms|s|m|h)?$/, 'must be a duration such as 300, 90s, 5m or 1h')
      .transform(parseDuration)
      .optional(),
  ),
  // Not unsetOr: unset means the default, while an empty value turns verification off.
  VERIFY_AFTER: z
    .string()
    .default('2m,10m,30m')
    .refine(
      (v) => v.trim() === '' || v.split(',').every((part) => /^\s*[1-9]\d*(s|m|h)\s*$/.test(part)),
      'must be durations such as 2m,10m,30m (s, m or h), or empty to turn verification off',
    )
    .transform(parseVerifyAfter),
  NOTIFY_DIGEST_THRESHOLD: intIn(1, 1000, 5),
  MONITOR_PAGE_BUDGET: intIn(1, 100_000, 200),
  MONITOR_GRAPH_SHARE: unsetOr(
    z.coerce
      .number()
      .gt(0, 'must be a share of Graph’s read quota above 0 and at most 1, e.g. 0.25')
      .max(1, 'must be a share of Graph’s read quota above 0 and at most 1, e.g. 0.25')
      .default(0.25),
  ),
  BULK_CONCURRENCY: intIn(1, 32, DEFAULT_BULK_CONCURRENCY),
  BULK_MAX_TARGETS: intIn(1, 20_000, 5000),
  NOTIFY_WEBHOOK_SECRET: optionalString,
  STORAGE_CONNECTION_STRING: optionalString,
  STORAGE_CONTAINER: unsetOr(
    z
      .string()
      .regex(
        /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/,
        'must be a valid blob container name (3-63 lowercase letters, digits, dashes)',
      )
      .default('chatops-state'),
  ),
  SANDBOX_MODE: unsetOr(z.enum(['true', 'false']).default('false')).transform((v) => v === 'true'),
};
type Keys = typeof keys;
type Key = keyof Keys;

/** Reports a problem with one key; the message follows the key's name. */
type Report = (key: Key, message: string) => void;

/**
 * A rule across keys. It sees the keys it names as their own schemas parse them, and runs whenever those
 * are valid, so a missing credential is reported together with an unrelated bad PORT.
 */
function rule<K extends Key>(
  names: readonly K[],
  check: (env: z.output<z.ZodObject<Pick<Keys, K>>>, report: Report) => void,
) {
  const picked = z.object(Object.fromEntries(names.map((k) => [k, keys[k]])) as Pick<Keys, K>);
  return (raw: unknown, ctx: z.RefinementCtx) => {
    const parsed = picked.safeParse(raw);
    if (!parsed.success) return;
    check(parsed.data, (key, message) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [key], message }));
  };
}

const rules = [
  rule(['NODE_ENV', 'BOT_ID'], (e, report) => {
    if (!e.BOT_ID && e.NODE_ENV === 'production') {
      report('BOT_ID', 'is required when NODE_ENV=production (local mode turns inbound authentication off)');
    }
  }),
  rule(['BOT_ID', 'BOT_TYPE', 'BOT_PASSWORD', 'BOT_TENANT_ID'], (e, report) => {
    if (!e.BOT_ID) return;
    if (e.BOT_TYPE !== 'UserAssignedMsi' && !e.BOT_PASSWORD) {
      report('BOT_PASSWORD', `is required with BOT_TYPE=${e.BOT_TYPE}`);
    }
    if (e.BOT_TYPE !== 'MultiTenant' && !e.BOT_TENANT_ID) {
      report('BOT_TENANT_ID', `is required with BOT_TYPE=${e.BOT_TYPE}`);
    }
  }),
  rule(['BOT_ID', 'OAUTH_CONNECTION_NAME'], (e, report) => {
    if (e.BOT_ID && !e.OAUTH_CONNECTION_NAME) {
      report(
        'OAUTH_CONNECTION_NAME',
        'is required when BOT_ID is set: the Azure Bot OAuth connection that approvers sign in through when Teams cannot sign them in silently (Teams may ignore a sign-in request without it)',
      );
    }
  }),
  rule(
    ['AAD_APP_CLIENT_SECRET', 'AAD_APP_CERTIFICATE_PATH', 'AAD_APP_MANAGED_IDENTITY_CLIENT_ID'],
    (e, report) => {
      if (!e.AAD_APP_CLIENT_SECRET && !e.AAD_APP_CERTIFICATE_PATH && !e.AAD_APP_MANAGED_IDENTITY_CLIENT_ID) {
        report(
          'AAD_APP_CLIENT_SECRET',
          'is required, or AAD_APP_CERTIFICATE_PATH or AAD_APP_MANAGED_IDENTITY_CLIENT_ID instead (the on-behalf-of exchange needs a client credential)',
        );
      }
    },
  ),
  rule(['MONITOR_INTERVAL', 'NODE_ENV'], (e, report) => {
    if (e.MONITOR_INTERVAL === undefined) return;
    const floor = e.NODE_ENV === 'production' ? MONITOR_FLOOR_PRODUCTION_MS : MONITOR_FLOOR_MS;
    if (e.MONITOR_INTERVAL < floor) {
      report(
        'MONITOR_INTERVAL',
        e.NODE_ENV === 'production'
          ? 'must be at least 1m when NODE_ENV=production: each scan reads the tenant through Graph, and a shorter interval spends its budget on repeats'
          : 'must be at least 1s',
      );
    }
  }),
  rule(['SANDBOX_MODE', 'NODE_ENV', 'AAD_APP_OAUTH_AUTHORITY_HOST'], (e, report) => {
    if (!e.SANDBOX_MODE) return;
    if (e.NODE_ENV === 'production') report('SANDBOX_MODE', 'is refused when NODE_ENV=production');
    if (!isLoopbackUrl(e.AAD_APP_OAUTH_AUTHORITY_HOST)) {
      report('SANDBOX_MODE', 'is refused unless AAD_APP_OAUTH_AUTHORITY_HOST is a loopback simulator');
    }
  }),
];

/** The environment as the bot reads it: every key, the rules across keys, then the settings callers get. */
const configSchema = z
  .preprocess((raw, ctx) => {
    for (const check of rules) check(raw, ctx);
    return raw;
  }, z.object(keys))
  .transform((e) => {
    const appTenantOnly: readonly string[] = [e.AAD_APP_TENANT_ID.toLowerCase()];
    return {
      nodeEnv: e.NODE_ENV,
      port: e.PORT,
      host: e.HOST,
      logLevel: e.LOG_LEVEL,
      /** `pretty`: one readable line per entry, for a person at a terminal (npm run dev); JSON otherwise. */
      logFormat: e.LOG_FORMAT,
      /** No BOT_ID: inbound Bot Framework authentication is off (local development only). */
      localMode: e.BOT_ID === '',
      bot: {
        id: e.BOT_ID,
        password: e.BOT_PASSWORD,
        type: e.BOT_TYPE,
        tenantId: e.BOT_TENANT_ID,
        openIdMetadataUrl: e.BOT_OPENID_METADATA_URL,
        /**
         * The Azure Bot OAuth connection every card sign-in request names and magic codes are redeemed
         * through; required with BOT_ID, empty only in local mode (no token service there).
         */
        oauthConnectionName: e.OAUTH_CONNECTION_NAME,
        /** The Bot Framework token service (a data-residency region's, or a local fake); unset: botbuilder's default. */
        oauthUrl: e.BOT_OAUTH_URL,
      },
      aad: {
        clientId: e.AAD_APP_CLIENT_ID,
        clientSecret: e.AAD_APP_CLIENT_SECRET,
        certificatePath: e.AAD_APP_CERTIFICATE_PATH,
        /** A user-assigned managed identity federated with the app registration, instead of a secret. */
        managedIdentityClientId: e.AAD_APP_MANAGED_IDENTITY_CLIENT_ID,
        tenantId: e.AAD_APP_TENANT_ID,
        authorityHost: e.AAD_APP_OAUTH_AUTHORITY_HOST,
        appIdUri: e.AAD_APP_ID_URI ?? `api://botid-${e.BOT_ID || e.AAD_APP_CLIENT_ID}`,
      },
      graphBaseUrl: e.GRAPH_BASE_URL,
      /** Tenants whose people may talk to the bot; unset: the app's own tenant only. */
      allowedTenantIds: e.ALLOWED_TENANT_IDS ?? appTenantOnly,
      dataDir: e.DATA_DIR,
      invokeDeadlineMs: e.INVOKE_DEADLINE_MS,
      /** One Graph attempt is aborted after this long; a write that times out is reported as outcome unknown. */
      graphTimeoutMs: e.GRAPH_TIMEOUT_MS,
      governance: {
        /** Path of the approval policy (YAML); undefined means the safe default built from ADMIN_USER_IDS. */
        policyFile: e.POLICY_FILE,
        adminUserIds: e.ADMIN_USER_IDS ?? [],
      },
      notifications: {
        /** How often the failure monitor runs; undefined means it is off. */
        monitorIntervalMs: e.MONITOR_INTERVAL,
        /** Pages each detector reads in one monitor cycle at most; a longer scan goes on next cycle. */
        monitorPageBudget: e.MONITOR_PAGE_BUDGET,
        /** The share (0–1] of Graph's documented directory read quota the monitor's reads may use. */
        monitorGraphShare: e.MONITOR_GRAPH_SHARE,
        digestThreshold: e.NOTIFY_DIGEST_THRESHOLD,
        webhookSecret: e.NOTIFY_WEBHOOK_SECRET,
      },
      /** When to re-read a remediation's target after Graph accepted it; empty: verification is off. */
      verifyAfterMs: e.VERIFY_AFTER,
      bulk: {
        /** JSON batches (20 requests each) one bulk run keeps in flight; Graph's throttling is still honoured. */
        concurrency: e.BULK_CONCURRENCY,
        /** The most targets one bulk remediation may have. */
        maxTargets: e.BULK_MAX_TARGETS,
      },
      storage: {
        /** Set: state lives in Azure Blob Storage, shared by every instance; unset: files in DATA_DIR. */
        connectionString: e.STORAGE_CONNECTION_STRING,
        container: e.STORAGE_CONTAINER,
      },
      /** Local sandbox only: approvers' tokens come from the simulated tenant (never in production). */
      sandboxMode: e.SANDBOX_MODE,
    } as const;
  });

/** The validated, typed settings every module receives; nothing else reads the environment. */
export type Config = z.output<typeof configSchema>;

/** Reads and validates the environment once, at start; throws a ConfigError naming every bad key. */
export function loadConfig(env: Env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`),
    );
  }
  return deepFreeze(parsed.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
