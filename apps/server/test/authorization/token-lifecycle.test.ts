import { beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  accessToken,
  api,
  type Client,
  grant,
  introspect,
  revoke,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/**
 * An access token is checked against its row on every request to the management API: whatever
 * ends it (revocation, its app deactivated, deleted or narrowed, its secret rotated out, its
 * organization deleted) answers the very next call with 401 invalid_token.
 */
const server = useTestServer();
const origin = () => server().url;
let acme: Tenant;

beforeAll(async () => {
  acme = await tenant(origin());
});

const AUTHENTICATION_REQUIRED = {
  statusCode: 401,
  error: 'Unauthorized',
  code: 'UNAUTHORIZED',
  message:
    'Authentication required: send a valid session token or access token as Authorization: Bearer, or an API key as X-API-Key',
};

const readOrganization = (token: string, organizationId = acme.organizationId) =>
  api(origin(), 'GET', `/organizations/${organizationId}`, { token });

const asOwner = (method: string, path: string, body?: unknown) =>
  api(origin(), method, path, { token: acme.owner.token, body });

function expectInvalidToken(response: ApiResponse) {
  expect(response.status).toBe(401);
  expect(response.body).toEqual(AUTHENTICATION_REQUIRED);
  const challenge = response.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="timbrix"/);
  expect(challenge).toContain('error="invalid_token"');
}

/** A token that works right now (and has been used once, so any cache would hold it). */
async function liveToken(app: Client, scope?: string, organizationId = acme.organizationId) {
  const token = await accessToken(origin(), app, scope);
  const response = await readOrganization(token, organizationId);
  expect(response.status).toBe(200);
  expect(response.body.id).toBe(organizationId);
  return token;
}

describe('a request without a valid credential', () => {
  it('without an Authorization header: 401 with a challenge but no error', async () => {
    const response = await api(origin(), 'GET', `/organizations/${acme.organizationId}`);
    expect(response.status).toBe(401);
    expect(response.body).toEqual(AUTHENTICATION_REQUIRED);
    const challenge = response.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer realm="timbrix", resource_metadata="http/);
    expect(challenge).not.toContain('error=');
  });

  it('with a garbage, forged or foreign bearer: 401 invalid_token', async () => {
    const real = await accessToken(origin(), await acme.createApp(['read:organization']));
    const [header, payload] = real.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'admin:all' })).toString(
      'base64url',
    );
    const unsigned = Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt' })).toString(
      'base64url',
    );
    for (const bearer of [
      'garbage',
      `${header}.${widened}.${real.split('.')[2]}`,
      `${unsigned}.${payload}.`,
      `${real.slice(0, -4)}AAAA`,
    ]) {
      expectInvalidToken(await readOrganization(bearer));
    }
    // The real one, for contrast.
    expect((await readOrganization(real)).status).toBe(200);
  });
});

describe('an access token ends at once', () => {
  it('when revoked at /oauth2/revoke, and only that token', async () => {
    const app = await acme.createApp(['read:organization']);
    const token = await liveToken(app);
    const other = await liveToken(app);
    expect((await revoke(origin(), app, token)).status).toBe(200);
    expectInvalidToken(await readOrganization(token));
    expect((await readOrganization(other)).status).toBe(200);
  });

  it('when revoked by id by the owner', async () => {
    const app = await acme.createApp(['read:organization']);
    const token = await liveToken(app);
    const { jti } = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
    expect((await asOwner('DELETE', `/oauth/token/${jti}`)).status).toBe(204);
    expectInvalidToken(await readOrganization(token));
  });

  it('when its app is deactivated, for good', async () => {
    const app = await acme.createApp(['read:organization']);
    const token = await liveToken(app);
    const off = await asOwner('PATCH', `/oauth/apps/${app.clientId}`, { isActive: false });
    expect(off.status).toBe(200);
    expect(off.body.isActive).toBe(false);
    expectInvalidToken(await readOrganization(token));

    const on = await asOwner('PATCH', `/oauth/apps/${app.clientId}`, { isActive: true });
    expect(on.status).toBe(200);
    expectInvalidToken(await readOrganization(token));
    await liveToken(app);
  });

  it('when its app is deleted', async () => {
    const app = await acme.createApp(['read:organization']);
    const token = await liveToken(app);
    expect((await asOwner('DELETE', `/oauth/apps/${app.clientId}`)).status).toBe(204);
    expectInvalidToken(await readOrganization(token));
  });

  it('when its app loses a scope the token carries; a token without it goes on', async () => {
    const app = await acme.createApp(['read:organization', 'read:members']);
    const both = await liveToken(app);
    const narrow = await liveToken(app, 'read:organization');
    const narrowed = await asOwner('PATCH', `/oauth/apps/${app.clientId}`, {
      scopes: ['read:organization'],
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.scopes).toEqual(['read:organization']);

    // Refused even where the remaining scope would do.
    expectInvalidToken(await readOrganization(both));
    expect((await readOrganization(narrow)).status).toBe(200);

    // Giving the scope back does not revive it.
    const widened = await asOwner('PATCH', `/oauth/apps/${app.clientId}`, {
      scopes: ['read:organization', 'read:members'],
    });
    expect(widened.status).toBe(200);
    expectInvalidToken(await readOrganization(both));
  });

  it('when the secret it was granted with is rotated out with graceSeconds 0', async () => {
    const app = await acme.createApp(['read:organization']);
    const token = await liveToken(app);
    const rotated = await asOwner('POST', `/oauth/apps/${app.clientId}/secret`, {
      graceSeconds: 0,
    });
    expect(rotated.status).toBe(201);
    // The previous secret works until now: no longer.
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeLessThanOrEqual(Date.now());
    expectInvalidToken(await readOrganization(token));
    expect((await grant(origin(), app)).status).toBe(401);
    await liveToken({ clientId: app.clientId, clientSecret: rotated.body.clientSecret });
  });

  it('but not while the previous secret is in its grace period', async () => {
    const app = await acme.createApp(['read:organization']);
    const token = await liveToken(app);
    const rotated = await asOwner('POST', `/oauth/apps/${app.clientId}/secret`, {});
    expect(rotated.status).toBe(201);
    expect(Date.parse(rotated.body.previousSecretExpiresAt)).toBeGreaterThan(Date.now());
    expect((await readOrganization(token)).status).toBe(200);
  });

  it('when its organization is deleted', async () => {
    const doomed = await tenant(origin());
    const app = await doomed.createApp(['read:organization']);
    const token = await liveToken(app, undefined, doomed.organizationId);
    const resourceServer = await acme.createApp(['read:organization']);
    const deleted = await api(origin(), 'DELETE', `/organizations/${doomed.organizationId}`, {
      token: doomed.owner.token,
    });
    expect(deleted.status).toBe(204);
    expectInvalidToken(await readOrganization(token, doomed.organizationId));
    expectInvalidToken(await api(origin(), 'GET', `/users/${doomed.owner.id}`, { token }));
    expect((await introspect(origin(), resourceServer, token)).body).toEqual({ active: false });
  });
});
