import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  createOrganization,
  type ServerProcess,
  signUp,
  startServerProcess,
} from '../harness/index.js';

/**
 * A standard OAuth client library, not written here, drives the server as the README starts
 * it: the production build, its own process, its embedded PostgreSQL.
 */
let server: ServerProcess;
let app: { clientId: string; clientSecret: string };

beforeAll(async () => {
  server = await startServerProcess();
  const owner = await signUp(server.url);
  await createOrganization(server.url, owner.token);
  const created = await api(server.url, 'POST', '/oauth/apps', {
    token: owner.token,
    body: { name: 'Interop', scopes: ['read:organization', 'read:members'] },
  });
  expect(created.status).toBe(201);
  app = created.body;
}, 60_000);

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
});

async function discover(authentication: (secret: string) => client.ClientAuth) {
  return client.discovery(
    new URL(server.url),
    app.clientId,
    undefined,
    authentication(app.clientSecret),
    { algorithm: 'oauth2', execute: [client.allowInsecureRequests] },
  );
}

describe('interoperability with openid-client', () => {
  it('discovers the server through RFC 8414 metadata', async () => {
    const config = await discover(client.ClientSecretBasic);
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(server.url);
    expect(metadata.token_endpoint).toBe(`${server.url}/api/oauth2/token`);
    expect(metadata.grant_types_supported).toEqual([
      'authorization_code',
      'client_credentials',
      'refresh_token',
    ]);
    expect(metadata.response_types_supported).toEqual(['code']);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.token_endpoint_auth_methods_supported).toEqual([
      'client_secret_basic',
      'client_secret_post',
    ]);
  });

  it.each([
    ['client_secret_basic', client.ClientSecretBasic],
    ['client_secret_post', client.ClientSecretPost],
  ])('grants, introspects and revokes with %s', async (_, authentication) => {
    const config = await discover(authentication);

    const granted = await client.clientCredentialsGrant(config, { scope: 'read:organization' });
    expect(granted.token_type.toLowerCase()).toBe('bearer');
    expect(granted.expires_in).toBe(3600);
    expect(granted.scope).toBe('read:organization');

    // The token verifies against the served JWKS, as a resource server would check it.
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(granted.access_token, jwks, {
      issuer: server.url,
      audience: `${server.url}/api`,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      sub: app.clientId,
      client_id: app.clientId,
      scope: 'read:organization',
      jti: expect.stringMatching(/^token_/),
      organization_id: expect.any(String),
    });
    expect(payload.exp! - payload.iat!).toBe(3600);

    const active = await client.tokenIntrospection(config, granted.access_token);
    expect(active).toMatchObject({
      active: true,
      scope: 'read:organization',
      client_id: app.clientId,
      sub: app.clientId,
      jti: payload.jti,
      iss: server.url,
      token_type: 'Bearer',
      organization_id: payload.organization_id,
    });

    await client.tokenRevocation(config, granted.access_token);
    expect(await client.tokenIntrospection(config, granted.access_token)).toEqual({
      active: false,
    });
  });

  it('grants all of the app’s scopes when none are asked for', async () => {
    const config = await discover(client.ClientSecretBasic);
    const granted = await client.clientCredentialsGrant(config);
    expect(granted.scope).toBe('read:organization read:members');
  });

  it('surfaces invalid_scope and invalid_client as RFC 6749 errors', async () => {
    const config = await discover(client.ClientSecretBasic);
    await expect(
      client.clientCredentialsGrant(config, { scope: 'admin:all' }),
    ).rejects.toMatchObject({
      error: 'invalid_scope',
    });

    const wrong = await client.discovery(
      new URL(server.url),
      app.clientId,
      undefined,
      client.ClientSecretBasic('cs_wrong'),
      // openid-client's requests go through the test's fetch, which checks the contract.
      { algorithm: 'oauth2', execute: [client.allowInsecureRequests], [client.customFetch]: fetch },
    );
    // A 401 with a Basic challenge, as RFC 6749 section 5.2 asks of invalid_client.
    const refused = await client.clientCredentialsGrant(wrong).catch((error) => error);
    expect(refused).toBeInstanceOf(client.WWWAuthenticateChallengeError);
    expect(refused.status).toBe(401);
    expect(refused.cause[0].scheme).toBe('basic');
  });
});
