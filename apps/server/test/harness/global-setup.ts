import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import './provided.js';
import { migrate, openDatabase } from '@timbrix/api';
import { databaseUrl, quoteIdentifier, startEmbeddedPostgres, withClient } from '@timbrix/postgres';

async function scratchDirectory(): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), 'timbrix-test-pg-'));
  // Run as root, PostgreSQL runs as the `postgres` user, which must reach into the folder.
  await chmod(parent, 0o755);
  return join(parent, 'data');
}

/**
 * One PostgreSQL per test run: DATABASE_URL's server when set, else an embedded one in a
 * temporary folder. Migrations run once, into a template that every test file copies.
 */
export default async function setup(project: TestProject) {
  const embedded = process.env.DATABASE_URL
    ? undefined
    : await startEmbeddedPostgres({ directory: await scratchDirectory(), persistent: false });
  const serverUrl = embedded?.url ?? databaseUrl(process.env.DATABASE_URL!, 'postgres');
  const template = `timbrix_template_${process.pid}`;

  await withClient(serverUrl, (client) =>
    client.query(`create database ${quoteIdentifier(template)}`),
  );
  const orm = await openDatabase({ url: databaseUrl(serverUrl, template) });
  await migrate(orm);
  await orm.close();

  project.provide('database', { serverUrl, template });

  return async () => {
    if (embedded) return embedded.stop();
    await withClient(serverUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        'select datname from pg_database where datname like $1',
        [`timbrix_t${process.pid}_%`],
      );
      for (const { datname } of [...rows, { datname: template }]) {
        await client.query(`drop database if exists ${quoteIdentifier(datname)} with (force)`);
      }
    });
  };
}
