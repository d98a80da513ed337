import { ConfigError, createLogger, loadConfig } from '@timbrix/api';
import { setPlatformAdmin } from './commands/platform-admin.js';
import { rotateSigningKey } from './commands/rotate-signing-key.js';
import { runWorker } from './commands/worker.js';
import { startServer } from './server.js';

const logger = createLogger(process.env.LOG_LEVEL ?? 'info');

async function serve() {
  const server = await startServer(loadConfig(), logger);
  logger.info(
    { url: server.url, issuer: server.services.config.issuerUrl },
    'Timbrix is listening',
  );

  const shutdown = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'shutting down');
    // A second signal means "now".
    process.once(signal, () => process.exit(1));
    server.close().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

const USAGE = `Usage:
  main.js                               start the server
  main.js worker                        deliver webhooks (needs DATABASE_URL)
  main.js grant-platform-admin <email>  make an existing account a platform administrator
  main.js revoke-platform-admin <email> make it an ordinary account again
  main.js rotate-signing-key            retire the signing key and make a new one`;

async function run([command, ...args]: string[]) {
  switch (command) {
    case undefined:
    case 'serve':
      return serve();
    case 'grant-platform-admin':
    case 'revoke-platform-admin':
      if (!args[0]) throw new ConfigError(USAGE);
      await setPlatformAdmin(loadConfig(), logger, args[0], command === 'grant-platform-admin');
      return process.exit(0);
    case 'worker':
      return runWorker(loadConfig(), logger);
    case 'rotate-signing-key':
      await rotateSigningKey(loadConfig(), logger);
      return process.exit(0);
    default:
      throw new ConfigError(`Unknown command ${command}\n${USAGE}`);
  }
}

run(process.argv.slice(2)).catch((error) => {
  if (error instanceof ConfigError) logger.fatal(error.message);
  else logger.fatal({ err: error }, error instanceof Error ? error.message : 'failed');
  process.exit(1);
});
