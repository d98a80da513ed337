import type { MikroORM } from '@mikro-orm/postgresql';
import { Hasher } from './auth/passwords.js';
import { Sessions } from './auth/sessions.js';
import type { Config } from './config.js';
import { type Repositories, repositories } from './db/repositories.js';
import { Statements } from './db/statements.js';
import { AccessTokens } from './features/access-tokens/service.js';
import { ApiKeyDigests, ApiKeys } from './features/api-keys/service.js';
import { PersonGrants } from './features/authorizations/grants.js';
import { AuthorizationRequests } from './features/authorizations/requests.js';
import { ClientAuthenticator } from './features/oauth-apps/client-auth.js';
import { WebhookSecrets } from './features/webhooks/secrets.js';
import { SigningKeyRepository } from './keys/repository.js';
import { SigningKeys } from './keys/signing-keys.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { type CounterStore, PostgresCounterStore, RedisCounterStore } from './limits/stores.js';
import type { Logger } from './logger.js';

/** What the running server is made of; built once at start. */
export interface Services {
  config: Config & { issuerUrl: string };
  orm: MikroORM;
  /** Prepared statements for the hot paths. */
  sql: Statements;
  /** Repositories for work outside any request (their ORM methods need a request's). */
  db: Repositories;
  keys: SigningKeys;
  /** Argon2id for passwords and client secrets, a bounded queue of jobs. */
  hasher: Hasher;
  sessions: Sessions;
  clients: ClientAuthenticator;
  tokens: AccessTokens;
  /** The authorization endpoint and the console's consent: people's requests, their codes. */
  authorizationRequests: AuthorizationRequests;
  /** The authorization code and refresh token grants. */
  personGrants: PersonGrants;
  /** The server's own limits: none with RATE_LIMITS=off. */
  limits: RateLimiter;
  /** The rate-limit counters every process shares (Redis with REDIS_URL, else PostgreSQL). */
  counters: CounterStore;
  /** API keys: who a key is, and whether a request may use it (its addresses and limits). */
  apiKeys: ApiKeys;
  /** Seals webhook signing secrets for storage (and opens them to sign). */
  webhookSecrets: WebhookSecrets;
  logger: Logger;
}

export interface ServiceOptions {
  config: Config & { issuerUrl: string };
  orm: MikroORM;
  keyEncryptionKey: Buffer;
  logger: Logger;
}

/** The signing keys, loaded (and made, on a database that has none) and kept fresh. */
export function loadSigningKeys(
  orm: MikroORM,
  config: Pick<Config, 'sessionTtlSeconds' | 'accessTokenTtlSeconds'>,
  keyEncryptionKey: Buffer,
): Promise<SigningKeys> {
  // A retired key stays published while anything it signed may still be presented.
  const longestTokenSeconds = Math.max(config.sessionTtlSeconds, config.accessTokenTtlSeconds);
  const repository = new SigningKeyRepository(orm.em, new Statements(orm));
  return SigningKeys.load(repository, keyEncryptionKey, longestTokenSeconds);
}

/** Builds the services; `stop()` ends their timers and connections (not the ORM's). */
export async function createServices({ config, orm, keyEncryptionKey, logger }: ServiceOptions) {
  const sql = new Statements(orm);
  // The global unit of work: the prepared statements these use need none, and an ORM call on
  // it fails loudly instead of leaking entities across requests.
  const db = repositories(orm.em, sql);
  const keys = await loadSigningKeys(orm, config, keyEncryptionKey);
  const hasher = new Hasher(config.argon2MaxWaiting);
  // Always there: an API key's own limits are its owner's, and hold with RATE_LIMITS=off too.
  const counters = config.redisUrl
    ? new RedisCounterStore(config.redisUrl)
    : new PostgresCounterStore(sql);
  const tokens = new AccessTokens(
    db.accessTokens,
    keys,
    config.issuerUrl,
    config.accessTokenTtlSeconds,
  );
  const services: Services = {
    config,
    orm,
    sql,
    db,
    keys,
    hasher,
    sessions: new Sessions(db.sessions, keys, config.issuerUrl, config.sessionTtlSeconds),
    clients: new ClientAuthenticator(db.oauthApps, hasher, config.clientSecretCache),
    tokens,
    authorizationRequests: new AuthorizationRequests(db.authorizationRequests, {
      issuer: config.issuerUrl,
      codeTtlSeconds: config.authorizationCodeTtlSeconds,
      requestTtlSeconds: config.authorizationRequestTtlSeconds,
      refreshTtlSeconds: config.refreshTokenTtlSeconds,
    }),
    personGrants: new PersonGrants(
      db.authorizations,
      tokens,
      logger,
      config.authorizationCodeTtlSeconds,
    ),
    limits: new RateLimiter(
      config.rateLimits.enabled ? counters : undefined,
      config.rateLimits.rules,
    ),
    counters,
    apiKeys: new ApiKeys(
      db.apiKeys,
      new ApiKeyDigests(keyEncryptionKey),
      new RateLimiter(counters, config.rateLimits.rules),
    ),
    webhookSecrets: new WebhookSecrets(keyEncryptionKey),
    logger,
  };
  const stop = async () => {
    keys.stop();
    await counters.close();
  };
  return { services, stop };
}
