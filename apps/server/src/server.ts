import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  databaseUrl,
  type EmbeddedDatabase,
  ensureDatabase,
  startEmbeddedPostgres,
} from '@timbrix/postgres';
import { createApp } from './app.js';
import { localKeyEncryptionKey } from './auth/key-encryption.js';
import { Hasher } from './auth/passwords.js';
import { Sessions } from './auth/sessions.js';
import { SigningKeys } from './auth/signing-keys.js';
import type { Config } from './config.js';
import type { Services } from './context.js';
import { type MikroORM, migrate, openDatabase } from './db/orm.js';
import { Statements } from './db/statements.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { PostgresCounterStore, RedisCounterStore } from './limits/stores.js';
import type { Logger } from './logger.js';
import { AccessTokens } from './oauth/access-tokens.js';
import { ClientAuthenticator } from './oauth/client-auth.js';

export interface RunningServer {
  url: string;
  services: Services;
  /** Stops accepting, lets requests in flight finish, then closes the pool and the database. */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 8_000;
const PRUNE_INTERVAL_MS = 10 * 60_000;

/** The database named by DATABASE_URL, or an embedded one kept in the data folder. */
export async function provisionDatabase(config: Config, logger: Logger) {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: undefined };
  const directory = join(config.dataDir, 'postgres');
  logger.info({ directory }, 'DATABASE_URL is not set: starting an embedded PostgreSQL');
  const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
    directory,
    persistent: true,
    onLog: (line) => logger.debug({ postgres: line }),
    onNotice: (message) => logger.warn(message),
  });
  await ensureDatabase(embedded.url, 'timbrix');
  return { url: databaseUrl(embedded.url, 'timbrix'), embedded };
}

/** KEY_ENCRYPTION_KEY, or in development a key kept in the data folder (with a warning). */
export async function resolveKeyEncryptionKey(config: Config, logger: Logger): Promise<Buffer> {
  if (config.keyEncryptionKey) return config.keyEncryptionKey;
  logger.warn(
    `KEY_ENCRYPTION_KEY is not set: using a development key from ${join(config.dataDir, 'key-encryption-key')}. Production must set KEY_ENCRYPTION_KEY.`,
  );
  return localKeyEncryptionKey(config.dataDir);
}

export function signingKeysFor(orm: MikroORM, config: Config, keyEncryptionKey: Buffer) {
  // A retired key stays published while anything it signed may still be presented.
  const longestTokenSeconds = Math.max(config.sessionTtlSeconds, config.accessTokenTtlSeconds);
  return SigningKeys.load(orm, keyEncryptionKey, longestTokenSeconds);
}

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await provisionDatabase(config, logger);
  try {
    const orm = await openDatabase({
      url: database.url,
      poolMax: config.dbPoolMax,
      log: (message) => logger.info({ component: 'orm' }, message),
    });
    await migrate(orm);

    const keys = await signingKeysFor(orm, config, await resolveKeyEncryptionKey(config, logger));

    const sql = new Statements(orm);
    const counters = !config.rateLimits.enabled
      ? undefined
      : config.redisUrl
        ? new RedisCounterStore(config.redisUrl)
        : new PostgresCounterStore(sql);

    // Listen first: with PORT=0 the default issuer URL depends on the port we get.
    const server = createHttpServer();
    server.listen(config.port, config.host);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const issuerUrl = config.issuerUrl ?? `http://localhost:${port}`;
    const hasher = new Hasher(config.argon2MaxWaiting);
    const services: Services = {
      config: { ...config, issuerUrl },
      orm,
      sql,
      keys,
      hasher,
      sessions: new Sessions(keys, issuerUrl, config.sessionTtlSeconds),
      clients: new ClientAuthenticator(sql, hasher, config.clientSecretCache),
      tokens: new AccessTokens(sql, keys, issuerUrl, config.accessTokenTtlSeconds),
      limits: new RateLimiter(counters, config.rateLimits.rules),
      logger,
    };
    const app = createApp(services);
    let closing = false;
    server.on('request', (req, res) => {
      // While shutting down, a kept-alive connection closes after its answer.
      if (closing) res.setHeader('Connection', 'close');
      app(req, res);
    });
    const pruning = setInterval(() => {
      Promise.all([services.tokens.pruneExpired(), counters?.prune()]).catch((error) => {
        logger.warn({ err: error }, 'pruning expired rows failed');
      });
    }, PRUNE_INTERVAL_MS).unref();

    let stopping: Promise<void> | undefined;
    const close = () => {
      closing = true;
      stopping ??= (async () => {
        const stopped = new Promise((resolve) => server.close(resolve));
        // Kept-alive connections close as soon as their request in flight is answered.
        const sweep = setInterval(() => server.closeIdleConnections(), 50);
        server.closeIdleConnections();
        const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
        await stopped;
        clearInterval(sweep);
        clearTimeout(force);
        clearInterval(pruning);
        keys.stop();
        await counters?.close();
        await orm.close();
        await database.embedded?.stop();
      })();
      return stopping;
    };
    return { url: `http://127.0.0.1:${port}`, services, close };
  } catch (error) {
    await database.embedded?.stop();
    throw error;
  }
}
