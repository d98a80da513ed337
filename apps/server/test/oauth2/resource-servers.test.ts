import { describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  introspect,
  platformAdminCommand,
  tenant,
  useTestServer,
} from '../harness/index.js';

/** How a resource server finds out about this API's tokens, and who may check any token. */
const server = useTestServer();
const origin = () => server().url;

describe('RFC 9728 protected-resource metadata', () => {
  it('describes the API at the location section 3.1 derives from its identifier', async () => {
    const response = await fetch(`${origin()}/.well-known/oauth-protected-resource/api`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      resource: `${server().server.services.config.issuerUrl}/api`,
      authorization_servers: [server().server.services.config.issuerUrl],
      scopes_supported: expect.arrayContaining(['read:organization', 'admin:all']),
      bearer_methods_supported: ['header'],
      resource_signing_alg_values_supported: ['ES256'],
      resource_documentation: `${server().server.services.config.issuerUrl}/api/docs`,
    });
  });

  it('is pointed to by every 401 of a bearer-protected route, on both transports', async () => {
    const issuer = server().server.services.config.issuerUrl;
    const challenge = `Bearer realm="timbrix", resource_metadata="${issuer}/.well-known/oauth-protected-resource/api"`;
    const rest = await api(origin(), 'GET', '/users/me');
    expect(rest.status).toBe(401);
    expect(rest.headers.get('www-authenticate')).toBe(challenge);
    const trpc = await fetch(`${origin()}/trpc/users.me`);
    expect(trpc.status).toBe(401);
    expect(trpc.headers.get('www-authenticate')).toBe(challenge);
    // The OAuth endpoints keep their Basic challenge for invalid_client.
    const token = await fetch(`${origin()}/api/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(token.headers.get('www-authenticate')).toMatch(/^Basic /);
  });
});

describe('platform resource servers', () => {
  it('introspect every organization’s tokens; only a platform administrator makes one', async () => {
    const [platform, customer] = await Promise.all([tenant(origin()), tenant(origin())]);
    const resourceServer = await platform.createApp(['read:user']);
    const customerToken = await accessToken(origin(), await customer.createApp());
    expect((await introspect(origin(), resourceServer, customerToken)).body).toEqual({
      active: false,
    });

    const path = `/oauth/apps/${resourceServer.clientId}`;
    const flag = (token: string, value: boolean) =>
      api(origin(), 'PATCH', path, { token, body: { isPlatformResourceServer: value } });
    const refused = await flag(platform.owner.token, true);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/Only platform administrators/);

    await platformAdminCommand(server(), platform.owner.email);
    expect((await flag(platform.owner.token, true)).body.isPlatformResourceServer).toBe(true);
    const seen = await introspect(origin(), resourceServer, customerToken);
    expect(seen.body).toMatchObject({ active: true, organization_id: customer.organizationId });

    // Its secret is platform power: its organization's admins no longer hand it out.
    await platformAdminCommand(server(), platform.owner.email, false);
    const rotate = await api(origin(), 'POST', `${path}/secret`, {
      token: platform.owner.token,
      body: {},
    });
    expect(rotate.status).toBe(403);
    // But they may take the power away, and then it sees only its own organization again.
    expect((await flag(platform.owner.token, false)).status).toBe(200);
    expect((await introspect(origin(), resourceServer, customerToken)).body).toEqual({
      active: false,
    });
  });
});
