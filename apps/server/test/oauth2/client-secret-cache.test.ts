import { describe, expect, it } from 'vitest';
import { grant, startTestServer, tenant, useTestServer } from '../harness/index.js';

const server = useTestServer();

/** A well-formed argon2id hash that no secret matches. */
const FOREIGN_HASH =
  '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$TjV6K3pS2wFAkL1d0gWQ2z4m1S1aJkM9W2m1lY8mQ4E';

describe('the verified-secret cache', () => {
  it('answers from memory for a secret row it verified, and CLIENT_SECRET_CACHE=off does not', async () => {
    const acme = await tenant(server().url);
    const app = await acme.createApp();
    const uncached = await startTestServer({
      peerOf: server(),
      env: { CLIENT_SECRET_CACHE: 'off' },
    });
    try {
      expect((await grant(server().url, app)).status).toBe(200);
      expect((await grant(uncached.url, app)).status).toBe(200);

      // Swap the stored hash behind both servers' backs: only a cache can still say yes.
      await server().sql(
        `update oauth_client_secrets set secret_hash = $1
          where app_id = (select id from oauth_apps where client_id = $2)`,
        [FOREIGN_HASH, app.clientId],
      );
      expect((await grant(server().url, app)).status).toBe(200);
      expect((await grant(uncached.url, app)).status).toBe(401);

      // The cache never outlives the row's validity.
      await server().sql(
        `update oauth_client_secrets set expires_at = now()
          where app_id = (select id from oauth_apps where client_id = $1)`,
        [app.clientId],
      );
      expect((await grant(server().url, app)).status).toBe(401);
    } finally {
      await uncached.close();
    }
  });

  it('does not accept a different secret for a cached row', async () => {
    const acme = await tenant(server().url);
    const app = await acme.createApp();
    const last = app.clientSecret.at(-1) === 'A' ? 'B' : 'A';
    expect((await grant(server().url, app)).status).toBe(200);
    expect(
      (
        await grant(server().url, {
          ...app,
          clientSecret: `${app.clientSecret.slice(0, -1)}${last}`,
        })
      ).status,
    ).toBe(401);
  });
});

describe('expired token rows', () => {
  it('are pruned, and live ones are kept', async () => {
    const acme = await tenant(server().url);
    const app = await acme.createApp();
    expect((await grant(server().url, app)).status).toBe(200);
    await server().sql(
      `insert into oauth_access_tokens (id, app_id, scopes, expires_at)
       select 'token_expired', id, scopes, now() - interval '2 hours' from oauth_apps where client_id = $1`,
      [app.clientId],
    );
    const pruned = await server().server.services.db.accessTokens.pruneExpired();
    expect(pruned).toBeGreaterThanOrEqual(1);
    expect(
      await server().sql("select id from oauth_access_tokens where id = 'token_expired'"),
    ).toEqual([]);
    expect(await server().sql('select id from oauth_access_tokens')).not.toHaveLength(0);
  });
});
