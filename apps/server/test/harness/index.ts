import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfig } from '@timbrix/api';
import { databaseUrl, quoteIdentifier, withClient } from '@timbrix/postgres';
import {
  buildServer as buildServerIn,
  type ServerProcess,
  startServerProcess as startServerProcessIn,
} from '@timbrix/testing';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { setPlatformAdmin } from '../../src/commands/platform-admin.js';
import './provided.js';
import { type RunningServer, startServer } from '../../src/server.js';

export * from './http.js';

export interface TestServer {
  /** The server's origin, e.g. http://127.0.0.1:41234. */
  url: string;
  /** This server's database and key-encryption key. */
  database: { name: string; url: string; keyEncryptionKey: string };
  server: RunningServer;
  /** Every log line the server wrote, as text. */
  logs(): string;
  /** Runs SQL on this server's own database. */
  sql<T extends pg.QueryResultRow = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<T[]>;
  /** Every row of every table, as text: what a database dump would hold. */
  dump(): Promise<string>;
  close(): Promise<void>;
}

let sequence = 0;

export interface TestServerOptions {
  env?: Record<string, string>;
  /**
   * Another process of the same deployment as this server: the same database, key-encryption
   * key and issuer URL.
   */
  peerOf?: TestServer;
  /** A database of the test's own making (migrated at start, never dropped here). */
  databaseUrl?: string;
}

/**
 * A real server on a database of its own (a copy of the migrated template), listening on a
 * free port, with request logging on and its log lines kept for inspection.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { serverUrl, template } = inject('database');
  const peer = options.peerOf;
  const owned = !peer && !options.databaseUrl;
  const name =
    peer?.database.name ??
    `timbrix_t${process.pid}_${sequence++}_${randomBytes(4).toString('hex')}`;
  if (owned) {
    await withClient(serverUrl, (client) =>
      client.query(
        `create database ${quoteIdentifier(name)} template ${quoteIdentifier(template)}`,
      ),
    );
  }
  const url = options.databaseUrl ?? databaseUrl(serverUrl, name);
  const keyEncryptionKey = peer?.database.keyEncryptionKey ?? randomBytes(32).toString('base64');

  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: url,
    KEY_ENCRYPTION_KEY: keyEncryptionKey,
    LOG_LEVEL: 'info',
    // Suites create and grant far faster than any person; the limits have tests of their own.
    RATE_LIMITS: 'off',
    // Webhook deliveries have tests of their own, which turn the queue workers on.
    WORKERS: 'off',
    ...(peer ? { ISSUER_URL: peer.server.services.config.issuerUrl } : {}),
    ...options.env,
  });
  const server = await startServer(config, createLogger(config.logLevel, sink));
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {}); // an idle connection ended by a fault test; the next query reconnects
  const sql = async <T extends pg.QueryResultRow>(text: string, values?: unknown[]) =>
    (await pool.query<T>(text, values)).rows;

  return {
    url: server.url,
    database: { name, url, keyEncryptionKey },
    server,
    logs: () => lines.join(''),
    sql,
    async dump() {
      const tables = await sql<{ name: string }>(
        "select table_name as name from information_schema.tables where table_schema = 'public' order by 1",
      );
      const parts: string[] = [];
      for (const { name: table } of tables) {
        const rows = await sql<{ row: string }>(
          `select row_to_json(t)::text as row from ${quoteIdentifier(table)} t`,
        );
        parts.push(`-- ${table}`, ...rows.map(({ row }) => row));
      }
      return parts.join('\n');
    },
    async close() {
      await server.close();
      await pool.end();
      if (!owned) return;
      await withClient(serverUrl, (client) =>
        client.query(`drop database if exists ${quoteIdentifier(name)} with (force)`),
      );
    },
  };
}

/** Starts one server for the current test file and stops it after the file's last test. */
export function useTestServer(options: TestServerOptions = {}): () => TestServer {
  let current: TestServer | undefined;
  beforeAll(async () => {
    current = await startTestServer(options);
  });
  afterAll(async () => {
    await current?.close();
  });
  return () => {
    if (!current) throw new Error('the test server is not started yet');
    return current;
  };
}
export * from './consent.js';
export * from './oauth.js';
export type { ServerProcess };

const SERVER_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** This server's production bundle, built once per test file. */
export const buildServer = () => buildServerIn(SERVER_ROOT);

/** This server, built, as a process of its own (see @timbrix/testing). */
export const startServerProcess = (env: Record<string, string> = {}) =>
  startServerProcessIn(SERVER_ROOT, { env });

/**
 * The built server as a second process of `peer`'s deployment: its database, key-encryption
 * key and issuer URL.
 */
export function startPeerProcess(peer: TestServer, env: Record<string, string> = {}) {
  return startServerProcess({
    DATABASE_URL: peer.database.url,
    KEY_ENCRYPTION_KEY: peer.database.keyEncryptionKey,
    ISSUER_URL: peer.server.services.config.issuerUrl,
    ...env,
  });
}

/** Runs the grant-platform-admin (or, with `false`, revoke-platform-admin) command on `server`. */
export async function platformAdminCommand(server: TestServer, email: string, isAdmin = true) {
  const config = loadConfig({
    DATABASE_URL: server.database.url,
    KEY_ENCRYPTION_KEY: server.database.keyEncryptionKey,
  });
  await setPlatformAdmin(config, createLogger('silent'), email, isAdmin);
}
