import {
  type Config,
  ConfigError,
  type Logger,
  migrate,
  openDatabase,
  startWorker,
} from '@timbrix/api';
import { resolveKeyEncryptionKey, warnIfPrivateNetworksAllowed } from '../database.js';

/**
 * `pnpm worker`: webhook deliveries in a process of their own, beside (or instead of) the
 * servers' own workers, so that deliveries scale with processes. Runs until SIGTERM or SIGINT.
 */
export async function runWorker(config: Config, logger: Logger): Promise<void> {
  // An embedded database belongs to the one server process that started it.
  if (!config.databaseUrl) {
    throw new ConfigError('pnpm worker needs DATABASE_URL: the database the servers use');
  }
  const orm = await openDatabase({ url: config.databaseUrl });
  await migrate(orm);
  await orm.close();
  warnIfPrivateNetworksAllowed(config, logger);
  const worker = await startWorker({
    connectionString: config.databaseUrl,
    config,
    keyEncryptionKey: await resolveKeyEncryptionKey(config, logger),
    logger,
  });
  logger.info({ concurrency: config.workers.concurrency }, 'delivering webhooks');
  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'worker shutting down');
    process.once(signal, () => process.exit(1));
    worker.stop().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'worker shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
