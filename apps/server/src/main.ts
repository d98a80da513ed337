import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './server.js';

const logger = createLogger(process.env.LOG_LEVEL ?? 'info');

async function serve() {
  const config = loadConfig();
  const server = await startServer(config, logger);
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

serve().catch((error) => {
  if (error instanceof ConfigError) {
    logger.fatal(error.message);
  } else {
    logger.fatal({ err: error }, 'Timbrix could not start');
  }
  process.exit(1);
});
