import { join } from 'node:path';
import {
  type Config,
  type Logger,
  localKeyEncryptionKey,
  migrate,
  openDatabase,
} from '@timbrix/api';
import {
  databaseUrl,
  type EmbeddedDatabase,
  ensureDatabase,
  startEmbeddedPostgres,
} from '@timbrix/postgres';

type MikroORM = Awaited<ReturnType<typeof openDatabase>>;

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

/** Deliveries to private addresses are for development and tests: say so loudly when on. */
export function warnIfPrivateNetworksAllowed(config: Config, logger: Logger) {
  if (!config.webhooks.allowPrivateNetworks) return;
  logger.warn(
    'WEBHOOK_ALLOW_PRIVATE_NETWORKS is on: webhooks may use plain http and reach loopback and private addresses. Development and tests only.',
  );
}

/** Runs `work` on the migrated database, then closes it (and stops an embedded one). */
export async function withDatabase<T>(
  config: Config,
  logger: Logger,
  work: (orm: MikroORM) => Promise<T>,
): Promise<T> {
  const database = await provisionDatabase(config, logger);
  try {
    const orm = await openDatabase({ url: database.url });
    try {
      await migrate(orm);
      return await work(orm);
    } finally {
      await orm.close();
    }
  } finally {
    await database.embedded?.stop();
  }
}
