import { once } from 'node:events';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Config,
  createServices,
  type Logger,
  migrate,
  openDatabase,
  restErrorBody,
  type Services,
  startWorker,
} from '@timbrix/api';
import { createApp } from './app.js';
import {
  provisionDatabase,
  resolveKeyEncryptionKey,
  warnIfPrivateNetworksAllowed,
} from './database.js';

export interface RunningServer {
  url: string;
  services: Services;
  /** Stops accepting, lets requests in flight finish, then closes the pool and the database. */
  close(): Promise<void>;
}

const SHUTDOWN_GRACE_MS = 8_000;
const PRUNE_INTERVAL_MS = 10 * 60_000;

export async function startServer(config: Config, logger: Logger): Promise<RunningServer> {
  const database = await provisionDatabase(config, logger);
  try {
    const orm = await openDatabase({
      url: database.url,
      poolMax: config.dbPoolMax,
      log: (message) => logger.info({ component: 'orm' }, message),
    });
    await migrate(orm);
    const keyEncryptionKey = await resolveKeyEncryptionKey(config, logger);

    // Listen first: with PORT=0 the default issuer URL depends on the port we get. Until the
    // app is ready, a request is told to come back.
    let app: ReturnType<typeof createApp> | undefined;
    let closing = false;
    const server = createHttpServer((req, res) => {
      if (!app) {
        res.writeHead(503, { 'Retry-After': '1', 'Content-Type': 'application/json' });
        return res.end(JSON.stringify(restErrorBody(503, 'Starting up')));
      }
      // While shutting down, a kept-alive connection closes after its answer.
      if (closing) res.setHeader('Connection', 'close');
      app(req, res);
    });
    server.listen(config.port, config.host);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const issuerUrl = config.issuerUrl ?? `http://localhost:${port}`;
    const { services, stop } = await createServices({
      config: { ...config, issuerUrl },
      orm,
      keyEncryptionKey,
      logger,
    });

    warnIfPrivateNetworksAllowed(config, logger);
    const worker = config.workers.inServer
      ? await startWorker({ connectionString: database.url, config, keyEncryptionKey, logger })
      : undefined;

    app = createApp(services);
    const pruning = setInterval(() => {
      const { accessTokens, authorizations, sessions, events, webhooks } = services.db;
      Promise.all([
        accessTokens.pruneExpired(),
        authorizations.pruneExpired(),
        sessions.pruneExpired(),
        services.counters.prune(),
        events.pruneOlderThan(config.auditRetentionDays),
        webhooks.pruneDeliveries(),
      ]).catch((error) => logger.warn({ err: error }, 'pruning expired rows failed'));
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
        await worker?.stop();
        await stop();
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
