import { quoteIdentifier, withClient } from '@timbrix/postgres';
import { describe, expect, it } from 'vitest';
import { api, createOrganization, signUp, useTestServer } from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;

/** Turns this test's database away: open connections are ended, new ones refused. */
async function refuseConnections(refuse: boolean) {
  const { name, url } = server().database;
  await withClient(url.replace(/\/[^/]*$/, '/postgres'), async (client) => {
    await client.query(`alter database ${quoteIdentifier(name)} allow_connections ${!refuse}`);
    if (refuse) {
      await client.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [name],
      );
    }
  });
}

/** One tRPC call over HTTP: a query with no input, or a mutation with `input`. */
async function trpcCall(token: string, path: string, input?: unknown) {
  const response = await fetch(`${origin()}/trpc/${path}`, {
    method: input === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: input === undefined ? undefined : JSON.stringify(input),
  });
  return { status: response.status, body: await response.json() };
}

describe('database faults', () => {
  it('answers 503 without internals while the database refuses connections, and recovers', async () => {
    const owner = await signUp(origin());
    await createOrganization(origin(), owner.token);

    await refuseConnections(true);
    try {
      const ready = await api(origin(), 'GET', '/ready');
      expect(ready.status).toBe(503);
      expect((await api(origin(), 'GET', '/health')).status).toBe(200);

      const started = Date.now();
      const create = await api(origin(), 'POST', '/oauth/apps', {
        token: owner.token,
        body: { name: 'During outage', scopes: ['read:user'] },
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(create.status).toBe(503);
      expect(create.body).toEqual({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'Service temporarily unavailable; try again shortly',
        code: 'SERVICE_UNAVAILABLE',
      });
      // tRPC's envelope carries no more: no stack, no path, no cause.
      const trpc = await trpcCall(owner.token, 'users.me');
      expect(trpc).toEqual({
        status: 503,
        body: {
          error: {
            code: -32603,
            message: 'Service temporarily unavailable; try again shortly',
            data: { code: 'SERVICE_UNAVAILABLE', httpStatus: 503 },
          },
        },
      });
    } finally {
      await refuseConnections(false);
    }

    expect((await api(origin(), 'GET', '/ready')).status).toBe(200);
    const after = await api(origin(), 'POST', '/oauth/apps', {
      token: owner.token,
      body: { name: 'After outage', scopes: ['read:user'] },
    });
    expect(after.status).toBe(201);
  });

  it('answers an unexpected failure with a bare 500: no stack, SQL or table names', async () => {
    const owner = await signUp(origin());
    await createOrganization(origin(), owner.token);
    await server().sql('alter table oauth_client_secrets rename to oauth_client_secrets_moved');
    try {
      const response = await api(origin(), 'POST', '/oauth/apps', {
        token: owner.token,
        body: { name: 'Broken', scopes: ['read:user'] },
      });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal server error',
        code: 'INTERNAL_SERVER_ERROR',
      });
      const trpc = await trpcCall(owner.token, 'oauthApps.create', {
        name: 'Broken',
        scopes: ['read:user'],
      });
      expect(trpc).toEqual({
        status: 500,
        body: {
          error: {
            code: -32603,
            message: 'Internal server error',
            data: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 },
          },
        },
      });
      expect(server().logs()).toContain('procedure failed'); // the detail goes to the log
      expect(server().logs()).toContain('does not exist');
      expect(server().logs()).not.toMatch(/insert into|\$argon2id/); // but no SQL, no values
    } finally {
      await server().sql('alter table oauth_client_secrets_moved rename to oauth_client_secrets');
    }
    // The failed create left nothing half-done behind.
    expect(await server().sql("select id from oauth_apps where name = 'Broken'")).toEqual([]);
  });
});
