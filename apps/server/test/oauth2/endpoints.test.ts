import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  type Client,
  formPost,
  grant,
  introspect,
  revoke,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;

let acme: Tenant;
let globex: Tenant;
let app: Client;

beforeAll(async () => {
  [acme, globex] = await Promise.all([tenant(origin()), tenant(origin())]);
  app = await acme.createApp(['read:organization', 'read:members']);
});

const expectInvalidClient = (response: { status: number; headers: Headers; body: unknown }) => {
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="timbrix"/);
  expect(response.body).toEqual({
    error: 'invalid_client',
    error_description: 'Client authentication failed',
  });
};

describe('POST /api/oauth2/token', () => {
  it.each(['basic', 'post'] as const)('grants with client_secret_%s', async (method) => {
    const response = await grant(origin(), app, 'read:members', method);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('pragma')).toBe('no-cache');
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read:members',
    });
  });

  it('grants every scope of the app when none is asked for, and dedupes', async () => {
    expect((await grant(origin(), app)).body.scope).toBe('read:organization read:members');
    const twice = await grant(origin(), app, 'read:members  read:members');
    expect(twice.body.scope).toBe('read:members');
  });

  it('answers an unknown client, a wrong secret and a deactivated app with the same invalid_client', async () => {
    expectInvalidClient(await grant(origin(), { ...app, clientSecret: `${app.clientSecret}x` }));
    expectInvalidClient(
      await grant(origin(), { clientId: 'app_0000000000000000', clientSecret: 'cs_x' }),
    );
    expectInvalidClient(await grant(origin(), { clientId: 'not-a-client', clientSecret: 'cs_x' }));
    expectInvalidClient(
      await formPost(origin(), '/oauth2/token', { grant_type: 'client_credentials' }),
    );

    const inactive = await acme.createApp();
    await api(origin(), 'PATCH', `/oauth/apps/${inactive.clientId}`, {
      token: acme.owner.token,
      body: { isActive: false },
    });
    expectInvalidClient(await grant(origin(), inactive));
    expectInvalidClient(await grant(origin(), inactive, undefined, 'post'));
  });

  it.each([
    ['a scope the app lacks', 'write:members', 'invalid_scope'],
    ['an unknown scope', 'read:everything', 'invalid_scope'],
    ['admin:all', 'admin:all', 'invalid_scope'],
  ])('refuses %s with 400 %s', async (_, scope, error) => {
    const response = await grant(origin(), app, scope);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe(error);
    expect(response.body.error_description).toContain(scope);
  });

  it.each([
    ['no grant_type', {}, 'invalid_request'],
    ['grant_type=password', { grant_type: 'password' }, 'unsupported_grant_type'],
    ['grant_type=implicit', { grant_type: 'implicit' }, 'unsupported_grant_type'],
    [
      'grant_type=authorization_code without a code',
      { grant_type: 'authorization_code' },
      'invalid_request',
    ],
    [
      'grant_type=refresh_token without a token',
      { grant_type: 'refresh_token' },
      'invalid_request',
    ],
  ])('refuses %s', async (_, params, error) => {
    const response = await formPost(origin(), '/oauth2/token', params, app);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe(error);
  });

  it('refuses two authentication methods at once, and repeated parameters', async () => {
    const both = await fetch(`${origin()}/api/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: app.clientId,
        client_secret: app.clientSecret,
      }),
    });
    expect(both.status).toBe(400);
    expect(((await both.json()) as any).error).toBe('invalid_request');

    const repeated = await fetch(`${origin()}/api/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&scope=read:members&scope=read:organization&client_id=${app.clientId}&client_secret=${app.clientSecret}`,
    });
    expect(repeated.status).toBe(400);
    expect(await repeated.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('accepts form-encoded Basic credentials (RFC 6749 section 2.3.1)', async () => {
    const encoded = `${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`;
    const response = await fetch(`${origin()}/api/oauth2/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(encoded).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    });
    expect(response.status).toBe(200);
  });

  it('answers 415 to a JSON body', async () => {
    const response = await fetch(`${origin()}/api/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as any).error).toBe('invalid_request');
  });

  it('never stores or logs the token', async () => {
    const token = await accessToken(origin(), app);
    const signature = token.split('.')[2]!;
    expect(await server().dump()).not.toContain(signature);
    expect(server().logs()).not.toContain(signature);
    expect(server().logs()).not.toContain(app.clientSecret.slice(3));
  });
});

describe('POST /api/oauth/token (documented JSON form)', () => {
  const jsonGrant = (body: unknown) => api(origin(), 'POST', '/oauth/token', { body });

  it('grants the same token', async () => {
    const response = await jsonGrant({ ...app, scopes: ['read:organization'] });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read:organization',
    });
    expect((await introspect(origin(), app, response.body.access_token)).body.active).toBe(true);
  });

  it('carries the RFC code and the usual fields in its errors', async () => {
    const wrong = await jsonGrant({ clientId: app.clientId, clientSecret: 'cs_wrong' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
      statusCode: 401,
      message: 'Client authentication failed',
    });

    const scope = await jsonGrant({ ...app, scopes: ['write:members'] });
    expect(scope.status).toBe(400);
    expect(scope.body).toMatchObject({ error: 'invalid_scope', statusCode: 400 });
    // An unknown scope is invalid_scope too, as on the form endpoint.
    const unknown = await jsonGrant({ ...app, scopes: ['read:everything'] });
    expect(unknown.body).toMatchObject({ error: 'invalid_scope', statusCode: 400 });

    const malformed = await jsonGrant({ clientId: app.clientId });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error: 'invalid_request', statusCode: 400 });
    expect(malformed.body.message).toContain('clientSecret');
  });
});

describe('POST /api/oauth2/introspect', () => {
  it('tells a client of the same organization everything RFC 7662 lists', async () => {
    const token = await accessToken(origin(), app, 'read:members');
    const resourceServer = await acme.createApp(['read:user'], 'Resource server');
    const response = await introspect(origin(), resourceServer, token);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      active: true,
      scope: 'read:members',
      client_id: app.clientId,
      sub: app.clientId,
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: server().server.services.config.issuerUrl,
      jti: expect.stringMatching(/^token_[0-9a-f]{32}$/),
      token_type: 'Bearer',
      organization_id: acme.organizationId,
    });
  });

  it('answers only {active: false} for another organization’s, unknown and malformed tokens', async () => {
    const token = await accessToken(origin(), app);
    const outsider = await globex.createApp();
    expect((await introspect(origin(), outsider, token)).body).toEqual({ active: false });
    for (const garbage of ['nonsense', `${token}x`, token.split('.').slice(0, 2).join('.')]) {
      expect((await introspect(origin(), app, garbage)).body).toEqual({ active: false });
    }
  });

  it('requires client authentication and a token', async () => {
    const token = await accessToken(origin(), app);
    expectInvalidClient(await formPost(origin(), '/oauth2/introspect', { token }));
    expectInvalidClient(await introspect(origin(), { ...app, clientSecret: 'cs_wrong' }, token));
    const missing = await formPost(origin(), '/oauth2/introspect', {}, app);
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe('invalid_request');
  });

  it('refuses a session token as an access token, and an access token as a session', async () => {
    const session = acme.owner.token;
    expect((await introspect(origin(), app, session)).body).toEqual({ active: false });
    const token = await accessToken(origin(), app);
    const me = await api(origin(), 'GET', '/users/me', { token });
    expect(me.status).toBe(403);
    expect(me.body.message).toMatch(/acts for its organization, not for a person/);
  });
});

describe('POST /api/oauth2/revoke', () => {
  it('revokes the caller’s own token at once', async () => {
    const token = await accessToken(origin(), app);
    const response = await revoke(origin(), app, token);
    expect(response.status).toBe(200);
    expect((await introspect(origin(), app, token)).body).toEqual({ active: false });
  });

  it('answers 200 to another client’s token and leaves it valid', async () => {
    const token = await accessToken(origin(), app);
    const sibling = await acme.createApp();
    const outsider = await globex.createApp();
    expect((await revoke(origin(), sibling, token)).status).toBe(200);
    expect((await revoke(origin(), outsider, token)).status).toBe(200);
    expect((await introspect(origin(), app, token)).body.active).toBe(true);
  });

  it('answers 200 to an unknown token and 401 to an unauthenticated caller', async () => {
    expect((await revoke(origin(), app, 'nonsense')).status).toBe(200);
    expectInvalidClient(await formPost(origin(), '/oauth2/revoke', { token: 'x' }));
  });
});

describe('discovery and keys', () => {
  it('serves RFC 8414 metadata listing only what exists', async () => {
    const issuer = server().server.services.config.issuerUrl;
    const response = await fetch(`${origin()}/.well-known/oauth-authorization-server`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      issuer,
      authorization_endpoint: `${issuer}/api/oauth/authorize`,
      token_endpoint: `${issuer}/api/oauth2/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/api/oauth2/introspect`,
      revocation_endpoint: `${issuer}/api/oauth2/revoke`,
      scopes_supported: expect.arrayContaining(['read:user', 'admin:all']),
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'client_credentials', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      authorization_response_iss_parameter_supported: true,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      service_documentation: `${issuer}/api/docs`,
    });
  });

  it('publishes public keys only', async () => {
    const { keys } = (await (await fetch(`${origin()}/.well-known/jwks.json`)).json()) as any;
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(key).not.toHaveProperty('d');
    }
  });
});
