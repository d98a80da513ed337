import { describe, expect, it } from 'vitest';
import { api, grant, tenant, useTestServer } from '../harness/index.js';

/**
 * Finding: when every pooled connection was busy, the acquire timeout (wrapped by the ORM in
 * a plain DriverException) answered 500. A full pool is the database being unavailable to
 * this request: 503, on every transport, without internals, and the server recovers.
 */
const server = useTestServer({ env: { DB_POOL_MAX: '2' } });

interface Pool {
  acquireConnection(): Promise<unknown>;
  releaseConnection(connection: unknown): Promise<void>;
}

describe('an exhausted connection pool', () => {
  it('answers 503 on REST, tRPC and the OAuth endpoints, then recovers', async () => {
    const org = await tenant(server().url);
    const app = await org.createApp();
    const pool = server().server.services.orm.em.getConnection().getKnex().client as Pool;
    const held = [await pool.acquireConnection(), await pool.acquireConnection()];
    try {
      const started = Date.now();
      const [rest, trpc, oauth] = await Promise.all([
        api(server().url, 'GET', '/users/me', { token: org.owner.token }),
        fetch(`${server().url}/trpc/users.me`, {
          headers: { authorization: `Bearer ${org.owner.token}` },
        }),
        grant(server().url, app),
      ]);
      expect(Date.now() - started).toBeLessThan(5_000);

      expect(rest.status).toBe(503);
      expect(rest.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      expect(trpc.status).toBe(503);
      const trpcBody = (await trpc.json()) as any;
      expect(trpcBody.error.data).toEqual({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
      expect(oauth.status).toBe(503);
      expect(oauth.body).toMatchObject({ error: 'temporarily_unavailable' });
      for (const body of [rest.body, trpcBody, oauth.body]) {
        expect(JSON.stringify(body)).not.toMatch(/Knex|pool|acquir|stack/i);
      }
    } finally {
      for (const connection of held) await pool.releaseConnection(connection);
    }
    expect((await api(server().url, 'GET', '/users/me', { token: org.owner.token })).status).toBe(
      200,
    );
  });
});
