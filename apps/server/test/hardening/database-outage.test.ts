import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  databaseUrl,
  type EmbeddedDatabase,
  ensureDatabase,
  startEmbeddedPostgres,
} from '@timbrix/postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  type Client,
  grant,
  introspect,
  startTestServer,
  type Tenant,
  type TestServer,
  tenant,
} from '../harness/index.js';

/**
 * A PostgreSQL of this test's own, stopped and started again under a running server: the
 * shared one is never disturbed.
 */
let directory: string;
let postgres: EmbeddedDatabase;
let server: TestServer;
let org: Tenant;
let app: Client;
let token: string;

async function startPostgres(port?: number) {
  postgres = await startEmbeddedPostgres({
    directory: join(directory, 'data'),
    persistent: true,
    port,
  });
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'timbrix-outage-'));
  await chmod(directory, 0o755);
  await startPostgres();
  await ensureDatabase(postgres.url, 'timbrix');
  server = await startTestServer({ databaseUrl: databaseUrl(postgres.url, 'timbrix') });
  org = await tenant(server.url);
  app = await org.createApp();
  token = await accessToken(server.url, app);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await postgres?.stop();
  await rm(directory, { recursive: true, force: true });
});

/** Sends `request`, and checks it is answered within two seconds. */
async function quickly<T>(request: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await request();
  expect(performance.now() - started).toBeLessThan(2_000);
  return result;
}

describe('while PostgreSQL is down', () => {
  it('answers 503 fast, never a token or active: true, and recovers by itself', async () => {
    await postgres.stop();

    const ready = await quickly(() => api(server.url, 'GET', '/ready'));
    expect(ready.status).toBe(503);
    expect((await quickly(() => api(server.url, 'GET', '/health'))).status).toBe(200);

    const granted = await quickly(() => grant(server.url, app));
    expect(granted.status).toBe(503);
    expect(granted.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'Service temporarily unavailable; try again shortly',
    });
    expect(granted.body).not.toHaveProperty('access_token');

    const checked = await quickly(() => introspect(server.url, app, token));
    expect(checked.status).toBe(503);
    expect(checked.body).not.toHaveProperty('active');

    const created = await quickly(() =>
      api(server.url, 'POST', '/oauth/apps', {
        token: org.owner.token,
        body: { name: 'During outage', scopes: ['read:user'] },
      }),
    );
    expect(created.status).toBe(503);
    expect(created.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
    expect(JSON.stringify(created.body)).not.toMatch(
      /ECONNREFUSED|127\.0\.0\.1|postgres|knex|stack/i,
    );

    const login = await quickly(() =>
      api(server.url, 'POST', '/auth/login', {
        body: { email: org.owner.email, password: org.owner.password },
      }),
    );
    expect(login.status).toBe(503);

    await startPostgres(postgres.port);
    let recovered = false;
    for (let i = 0; i < 50 && !recovered; i++) {
      recovered = (await api(server.url, 'GET', '/ready')).status === 200;
      if (!recovered) await sleep(100);
    }
    expect(recovered).toBe(true);

    expect((await grant(server.url, app)).status).toBe(200);
    expect((await introspect(server.url, app, token)).body.active).toBe(true);
    expect(
      (
        await api(server.url, 'POST', '/oauth/apps', {
          token: org.owner.token,
          body: { name: 'After outage', scopes: ['read:user'] },
        })
      ).status,
    ).toBe(201);
  });
});
