import { createLogger, loadConfig } from '@timbrix/api';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { rotateSigningKey } from '../../src/commands/rotate-signing-key.js';
import { accessToken, api, introspect, tenant, useTestServer } from '../harness/index.js';

const server = useTestServer();

describe('signing key rotation', () => {
  it('signs with the new key while tokens of the old one keep verifying', async () => {
    const origin = server().url;
    const issuer = server().server.services.config.issuerUrl;
    const acme = await tenant(origin);
    const app = await acme.createApp();
    const before = await accessToken(origin, app);
    const session = acme.owner.token;
    const oldKid = decodeProtectedHeader(before).kid;

    await rotateSigningKey(
      loadConfig({
        DATABASE_URL: server().database.url,
        KEY_ENCRYPTION_KEY: server().database.keyEncryptionKey,
      }),
      createLogger('silent'),
    );
    // What every process does within a minute of a rotation.
    await server().server.services.keys.refresh();

    const after = await accessToken(origin, app);
    const newKid = decodeProtectedHeader(after).kid;
    expect(newKid).not.toBe(oldKid);

    const { keys } = (await (await fetch(`${origin}/.well-known/jwks.json`)).json()) as {
      keys: { kid: string }[];
    };
    expect(keys.map((key) => key.kid).sort()).toEqual([oldKid, newKid].sort());

    const jwks = createRemoteJWKSet(new URL(`${origin}/.well-known/jwks.json`));
    for (const token of [before, after]) {
      await expect(
        jwtVerify(token, jwks, { issuer, audience: `${issuer}/api` }),
      ).resolves.toBeTruthy();
      expect((await introspect(origin, app, token)).body.active).toBe(true);
    }
    // Sessions signed by the old key still work; new ones use the new key.
    expect((await api(origin, 'GET', '/users/me', { token: session })).status).toBe(200);
    const login = await api(origin, 'POST', '/auth/login', {
      body: { email: acme.owner.email, password: acme.owner.password },
    });
    expect(decodeProtectedHeader(login.body.accessToken).kid).toBe(newKid);
  });

  it('stops publishing a retired key once nothing it signed can still be valid', async () => {
    const { keys } = server().server.services;
    const published = () => keys.jwks().keys.map((key) => key.kid);
    const retiredKid = keys.signingKey().kid;
    await keys.rotate();
    expect(published()).toContain(retiredKid);
    // A retirement older than the longest token lifetime plus two refresh intervals.
    await server().sql(
      "update signing_keys set retired_at = now() - interval '2 hours' where kid = $1",
      [retiredKid],
    );
    await keys.refresh();
    expect(published()).not.toContain(retiredKid);
    expect(published()).toContain(keys.signingKey().kid);
  });

  it('keeps private keys sealed in the database', async () => {
    const rows = await server().sql<{ private_key_sealed: string; public_jwk: object }>(
      'select private_key_sealed, public_jwk from signing_keys',
    );
    for (const row of rows) {
      expect(row.private_key_sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
      expect(row.private_key_sealed).not.toContain('PRIVATE KEY');
      expect(row.public_jwk).not.toHaveProperty('d');
    }
  });
});
