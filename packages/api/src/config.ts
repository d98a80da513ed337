import { DEFAULT_MAX_BATCH_CALLS } from '@timbrix/shared/limits';
import { z } from 'zod';

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const perWindow = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const HOUR_MS = 3_600_000;
const onOff = (fallback: 'on' | 'off') => z.enum(['on', 'off']).default(fallback);

/**
 * Express's `trust proxy`: off, a hop count, or the proxies' addresses and subnets
 * (`loopback`, CIDRs). Never `true`: that believes the leftmost X-Forwarded-For entry, which
 * the client writes itself.
 */
const trustProxy = z
  .string()
  .default('false')
  .refine((value) => value !== 'true', {
    message:
      'true would trust an address the client chooses; give the number of proxies in front (1) or their addresses (loopback, 10.0.0.0/8)',
  })
  .transform((value): false | number | string[] => {
    if (value === 'false') return false;
    if (/^\d+$/.test(value)) return Number(value);
    return value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
  });

/** A setting that no longer exists: set, it stops the start with `why`. */
const removed = (why: string) => z.never({ error: why }).optional();

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  ISSUER_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  KEY_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, {
      message: 'must be 32 bytes, base64-encoded (openssl rand -base64 32)',
    })
    .optional(),
  SESSION_TTL_SECONDS: seconds(3600),
  ACCESS_TOKEN_TTL_SECONDS: seconds(3600),
  // RFC 6749 section 4.1.2: a code lives briefly; ten minutes is the most it recommends.
  AUTHORIZATION_CODE_TTL_SECONDS: seconds(60).refine((value) => value <= 600, {
    message: 'must be at most 600 (RFC 6749 section 4.1.2: codes are short-lived)',
  }),
  AUTHORIZATION_REQUEST_TTL_SECONDS: seconds(900),
  REFRESH_TOKEN_TTL_SECONDS: seconds(30 * 24 * 3600),
  CLIENT_SECRET_CACHE: onOff('on'),
  RATE_LIMITS: onOff('on'),
  RATE_LIMIT_WINDOW_SECONDS: seconds(60),
  RATE_LIMIT_GRANTS_PER_CLIENT: perWindow(10),
  RATE_LIMIT_AUTH_FAILURES_PER_CLIENT_IP: perWindow(10),
  RATE_LIMIT_AUTH_FAILURES_PER_IP: perWindow(100),
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: perWindow(10),
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: perWindow(100),
  RATE_LIMIT_APP_CREATES_PER_ORGANIZATION: perWindow(30),
  RATE_LIMIT_AUTHORIZE_PER_CLIENT_IP: perWindow(30),
  RATE_LIMIT_AUTHORIZE_PER_IP: perWindow(300),
  RATE_LIMIT_EXCHANGES_PER_CLIENT_IP: perWindow(15),
  RATE_LIMIT_EXCHANGES_PER_IP: perWindow(150),
  RATE_LIMIT_REFRESHES_PER_CLIENT_IP: perWindow(20),
  RATE_LIMIT_REFRESHES_PER_IP: perWindow(200),
  RATE_LIMIT_GRANT_FAILURES_PER_CLIENT: perWindow(30),
  RATE_LIMIT_SIGNUPS_PER_IP_PER_HOUR: perWindow(10),
  RATE_LIMIT_ORGANIZATIONS_PER_USER_PER_HOUR: perWindow(10),
  TRPC_MAX_BATCH_CALLS: z.coerce.number().int().min(1).max(100).default(DEFAULT_MAX_BATCH_CALLS),
  ARGON2_MAX_WAITING: z.coerce.number().int().min(0).max(100_000).default(256),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  TRUST_PROXY: trustProxy,
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((list) =>
      list
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ error: 'must list origins such as https://app.example.com' }))),
  AUDIT_RETENTION_DAYS: z.coerce.number().int().positive().default(365),
  WEBHOOK_TIMEOUT_SECONDS: seconds(10).refine((value) => value <= 60, {
    message: 'must be at most 60',
  }),
  WEBHOOK_RETRY_DELAYS_SECONDS: z
    .string()
    .default('1,5,30')
    .transform((list) => list.split(',').map((entry) => Number(entry.trim())))
    .refine((delays) => delays.every((delay) => Number.isFinite(delay) && delay >= 0), {
      message: 'must list the seconds before each retry, such as 1,5,30',
    }),
  WEBHOOK_DISABLE_AFTER_SECONDS: seconds(24 * 3600),
  WEBHOOK_SECRET_GRACE_SECONDS: seconds(24 * 3600),
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .default('false'),
  WORKERS: onOff('on'),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  WORKER_STALE_AFTER_SECONDS: seconds(10),
  // The built console; unset, the monorepo's apps/web/dist beside the server.
  CONSOLE_DIR: z.string().min(1, 'must name a folder').optional(),
  PLATFORM_ADMIN_EMAILS: removed(
    'was removed: registering an address proves nothing about owning it. Unset it, and grant platform administrators with the grant-platform-admin command',
  ),
  // Migrations at start hold one connection while the migrator checks the schema on another.
  DB_POOL_MAX: z.coerce
    .number()
    .int()
    .min(2, 'must be at least 2: starting up needs two connections at once')
    .max(100)
    .default(10),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof environmentSchema>) {
  return {
    nodeEnv: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    /**
     * Where the issuer says it lives; URLs in tokens and documents are built from it.
     * Unset, it is http://localhost:<the port listened on>, known once listening.
     */
    issuerUrl: env.ISSUER_URL,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    keyEncryptionKey: env.KEY_ENCRYPTION_KEY
      ? Buffer.from(env.KEY_ENCRYPTION_KEY, 'base64')
      : undefined,
    sessionTtlSeconds: env.SESSION_TTL_SECONDS,
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    authorizationCodeTtlSeconds: env.AUTHORIZATION_CODE_TTL_SECONDS,
    authorizationRequestTtlSeconds: env.AUTHORIZATION_REQUEST_TTL_SECONDS,
    refreshTokenTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    clientSecretCache: env.CLIENT_SECRET_CACHE === 'on',
    rateLimits: { enabled: env.RATE_LIMITS === 'on', rules: rateLimitRules(env) },
    redisUrl: env.REDIS_URL,
    trustProxy: env.TRUST_PROXY,
    corsOrigins: env.CORS_ORIGINS,
    consoleDir: env.CONSOLE_DIR,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    webhooks: {
      timeoutMs: env.WEBHOOK_TIMEOUT_SECONDS * 1000,
      retryDelaysMs: env.WEBHOOK_RETRY_DELAYS_SECONDS.map((delay) => delay * 1000),
      disableAfterMs: env.WEBHOOK_DISABLE_AFTER_SECONDS * 1000,
      secretGraceSeconds: env.WEBHOOK_SECRET_GRACE_SECONDS,
      /** Development and tests only: plain http, and loopback or private addresses. */
      allowPrivateNetworks: env.WEBHOOK_ALLOW_PRIVATE_NETWORKS === 'true',
    },
    workers: {
      /** Whether the server runs queue workers itself (`pnpm worker` runs them apart). */
      inServer: env.WORKERS === 'on',
      concurrency: env.WORKER_CONCURRENCY,
      staleAfterMs: env.WORKER_STALE_AFTER_SECONDS * 1000,
    },
    trpcMaxBatchCalls: env.TRPC_MAX_BATCH_CALLS,
    argon2MaxWaiting: env.ARGON2_MAX_WAITING,
    dbPoolMax: env.DB_POOL_MAX,
    logLevel: env.LOG_LEVEL,
  };
}

function rateLimitRules(env: z.infer<typeof environmentSchema>) {
  const windowMs = env.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const rule = (name: string, max: number, perMs = windowMs) => ({ name, max, windowMs: perMs });
  return {
    grantsPerClient: rule('grants', env.RATE_LIMIT_GRANTS_PER_CLIENT),
    authFailuresPerClientIp: rule('auth-fail', env.RATE_LIMIT_AUTH_FAILURES_PER_CLIENT_IP),
    authFailuresPerIp: rule('auth-fail-ip', env.RATE_LIMIT_AUTH_FAILURES_PER_IP),
    loginFailuresPerAccountIp: rule('login-fail', env.RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP),
    loginFailuresPerIp: rule('login-fail-ip', env.RATE_LIMIT_LOGIN_FAILURES_PER_IP),
    appCreatesPerOrganization: rule('app-create', env.RATE_LIMIT_APP_CREATES_PER_ORGANIZATION),
    authorizePerClientIp: rule('authorize', env.RATE_LIMIT_AUTHORIZE_PER_CLIENT_IP),
    authorizePerIp: rule('authorize-ip', env.RATE_LIMIT_AUTHORIZE_PER_IP),
    exchangesPerClientIp: rule('exchange', env.RATE_LIMIT_EXCHANGES_PER_CLIENT_IP),
    exchangesPerIp: rule('exchange-ip', env.RATE_LIMIT_EXCHANGES_PER_IP),
    refreshesPerClientIp: rule('refresh', env.RATE_LIMIT_REFRESHES_PER_CLIENT_IP),
    refreshesPerIp: rule('refresh-ip', env.RATE_LIMIT_REFRESHES_PER_IP),
    grantFailuresPerClient: rule('grant-fail', env.RATE_LIMIT_GRANT_FAILURES_PER_CLIENT),
    signupsPerIp: rule('signup', env.RATE_LIMIT_SIGNUPS_PER_IP_PER_HOUR, HOUR_MS),
    organizationsPerUser: rule(
      'org-create',
      env.RATE_LIMIT_ORGANIZATIONS_PER_USER_PER_HOUR,
      HOUR_MS,
    ),
  };
}

export type RateLimitRules = ReturnType<typeof rateLimitRules>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads the environment once; a bad value stops start with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset, as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return toConfig(parsed.data);
}
