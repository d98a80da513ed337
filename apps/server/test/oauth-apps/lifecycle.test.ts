import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  api,
  type Client,
  grant,
  introspect,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;

let acme: Tenant;

beforeAll(async () => {
  acme = await tenant(origin());
});

const asOwner = (method: string, path: string, body?: unknown) =>
  api(origin(), method, path, { token: acme.owner.token, body });

const APP_SHAPE = {
  clientId: expect.stringMatching(/^app_[0-9a-f]{16}$/),
  name: expect.any(String),
  description: null,
  redirectUri: null,
  scopes: expect.any(Array),
  isActive: true,
  isPlatformResourceServer: false,
  createdAt: expect.any(String),
  updatedAt: expect.any(String),
};

describe('GET /api/oauth/apps/organization/{organizationId}', () => {
  it('lists the apps newest first, without secrets, one page at a time', async () => {
    const org = await tenant(origin());
    const created: Client[] = [];
    for (let i = 0; i < 5; i++) created.push(await org.createApp(['read:user'], `App ${i}`));
    const path = `/oauth/apps/organization/${org.organizationId}`;

    const all = await api(origin(), 'GET', path, { token: org.owner.token });
    expect(all.status).toBe(200);
    expect(all.body.map((a: Client) => a.clientId)).toEqual(
      created.map((c) => c.clientId).reverse(),
    );
    expect(all.body[0]).toEqual({ ...APP_SHAPE, name: 'App 4', scopes: ['read:user'] });
    expect(JSON.stringify(all.body)).not.toMatch(/cs_|secret/i);
    expect(all.headers.get('link')).toBeNull();

    const first = await api(origin(), 'GET', `${path}?limit=2`, { token: org.owner.token });
    expect(first.body).toHaveLength(2);
    const next = first.headers.get('link')!;
    expect(next).toMatch(/^<http.*after=app_[0-9a-f]{16}.*>; rel="next"$/);
    const nextUrl = new URL(next.slice(1, next.indexOf('>')));
    const second = await api(origin(), 'GET', `${path}${nextUrl.search}`, {
      token: org.owner.token,
    });
    const third = await api(origin(), 'GET', `${path}?limit=2&after=${second.body[1].clientId}`, {
      token: org.owner.token,
    });
    expect([...first.body, ...second.body, ...third.body].map((a: Client) => a.clientId)).toEqual(
      all.body.map((a: Client) => a.clientId),
    );
    expect(third.headers.get('link')).toBeNull();
  });

  it.each([
    ['limit=0', /limit/],
    ['limit=101', /limit/],
    ['limit=ten', /limit/],
    ['after=app_0000000000000000', /after/],
  ])('answers 400 for %s', async (query, message) => {
    const response = await asOwner(
      'GET',
      `/oauth/apps/organization/${acme.organizationId}?${query}`,
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toMatch(message);
  });
});

describe('GET, PATCH, DELETE /api/oauth/apps/{clientId}', () => {
  it('answers one app in the list shape', async () => {
    const app = await acme.createApp(['read:user'], 'One');
    const response = await asOwner('GET', `/oauth/apps/${app.clientId}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...APP_SHAPE,
      clientId: app.clientId,
      name: 'One',
      scopes: ['read:user'],
    });
  });

  it('updates only what is sent, and null or "" clears', async () => {
    const app = await acme.createApp(['read:user'], 'Before');
    const path = `/oauth/apps/${app.clientId}`;
    const set = await asOwner('PATCH', path, {
      description: '  Described  ',
      redirectUri: 'com.example.app:/cb',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      name: 'Before',
      description: 'Described',
      redirectUri: 'com.example.app:/cb',
    });

    const renamed = await asOwner('PATCH', path, { name: 'After' });
    expect(renamed.body).toMatchObject({
      name: 'After',
      description: 'Described',
      redirectUri: 'com.example.app:/cb',
    });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThanOrEqual(
      Date.parse(set.body.updatedAt),
    );

    const cleared = await asOwner('PATCH', path, { description: null, redirectUri: '' });
    expect(cleared.body).toMatchObject({ name: 'After', description: null, redirectUri: null });
    expect((await asOwner('GET', path)).body).toEqual(cleared.body);
  });

  it.each([
    ['a bad redirect URI', { redirectUri: 'http://evil.example/cb' }],
    ['an empty name', { name: ' ' }],
    ['no scopes', { scopes: [] }],
    ['a duplicate scope', { scopes: ['read:user', 'read:user'] }],
    ['isActive as a string', { isActive: 'false' }],
    ['isActive as a number', { isActive: 0 }],
  ])('answers 400 for %s and changes nothing', async (_, body) => {
    const app = await acme.createApp(['read:user'], 'Stable');
    const before = (await asOwner('GET', `/oauth/apps/${app.clientId}`)).body;
    const response = await asOwner('PATCH', `/oauth/apps/${app.clientId}`, body);
    expect(response.status).toBe(400);
    expect((await asOwner('GET', `/oauth/apps/${app.clientId}`)).body).toEqual(before);
  });

  it('refuses to add admin:all for someone who is not a platform administrator', async () => {
    const app = await acme.createApp(['read:user']);
    const response = await asOwner('PATCH', `/oauth/apps/${app.clientId}`, {
      scopes: ['read:user', 'admin:all'],
    });
    expect(response.status).toBe(403);
    expect((await asOwner('GET', `/oauth/apps/${app.clientId}`)).body.scopes).toEqual([
      'read:user',
    ]);
  });

  it('narrows scopes with immediate effect on live tokens', async () => {
    const app = await acme.createApp(['read:organization', 'read:members']);
    const broad = await accessToken(origin(), app, 'read:organization read:members');
    const narrow = await accessToken(origin(), app, 'read:organization');
    await asOwner('PATCH', `/oauth/apps/${app.clientId}`, { scopes: ['read:organization'] });

    expect((await introspect(origin(), app, broad)).body).toEqual({ active: false });
    expect((await introspect(origin(), app, narrow)).body.active).toBe(true);
    expect((await grant(origin(), app, 'read:members')).body.error).toBe('invalid_scope');
    const listed = await asOwner('GET', `/oauth/apps/${app.clientId}/tokens`);
    expect(listed.body.map((t: { scopes: string[] }) => t.scopes)).toEqual([['read:organization']]);
  });

  it('deactivates with immediate effect, and reactivates', async () => {
    const app = await acme.createApp();
    const token = await accessToken(origin(), app);
    const off = await asOwner('PATCH', `/oauth/apps/${app.clientId}`, { isActive: false });
    expect(off.body.isActive).toBe(false);
    expect((await introspect(origin(), await acme.createApp(), token)).body).toEqual({
      active: false,
    });
    expect((await grant(origin(), app)).status).toBe(401);

    await asOwner('PATCH', `/oauth/apps/${app.clientId}`, { isActive: true });
    expect((await grant(origin(), app)).status).toBe(200);
  });

  it('deletes with 204, and every token of the app stops working at once', async () => {
    const app = await acme.createApp();
    const resourceServer = await acme.createApp();
    const token = await accessToken(origin(), app);
    const response = await asOwner('DELETE', `/oauth/apps/${app.clientId}`);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect((await introspect(origin(), resourceServer, token)).body).toEqual({ active: false });
    expect((await grant(origin(), app)).status).toBe(401);
    expect((await asOwner('GET', `/oauth/apps/${app.clientId}`)).status).toBe(404);
    expect(
      await server().sql(
        'select 1 from oauth_client_secrets s join oauth_apps a on a.id = s.app_id where a.client_id = $1',
        [app.clientId],
      ),
    ).toEqual([]);
  });
});

describe('POST /api/oauth/apps/{clientId}/secret', () => {
  const rotate = (clientId: string, body?: unknown) =>
    asOwner('POST', `/oauth/apps/${clientId}/secret`, body);

  it('keeps the old secret working through the grace period, then only the new one', async () => {
    const app = await acme.createApp();
    await accessToken(origin(), app); // the old secret is now in the verified cache
    const rotated = await rotate(app.clientId, { graceSeconds: 2 });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toEqual({
      clientId: app.clientId,
      clientSecret: expect.stringMatching(/^cs_/),
      previousSecretExpiresAt: expect.any(String),
    });
    const graceLeft = Date.parse(rotated.body.previousSecretExpiresAt) - Date.now();
    expect(graceLeft).toBeGreaterThan(0);
    expect(graceLeft).toBeLessThanOrEqual(2000);

    const fresh = { clientId: app.clientId, clientSecret: rotated.body.clientSecret };
    expect((await grant(origin(), app)).status).toBe(200);
    expect((await grant(origin(), fresh)).status).toBe(200);

    await sleep(graceLeft + 100);
    expect((await grant(origin(), app)).status).toBe(401);
    expect((await grant(origin(), fresh)).status).toBe(200);
  });

  it('defaults to a day of grace and takes an empty body', async () => {
    const app = await acme.createApp();
    const response = await api(origin(), 'POST', `/oauth/apps/${app.clientId}/secret`, {
      token: acme.owner.token,
    });
    expect(response.status).toBe(201);
    const grace = Date.parse(response.body.previousSecretExpiresAt) - Date.now();
    expect(grace).toBeGreaterThan(86_400_000 - 60_000);
    expect(grace).toBeLessThanOrEqual(86_400_000);
  });

  it('keeps at most two secrets valid: a third rotation ends the oldest at once', async () => {
    const first = await acme.createApp();
    const second = {
      clientId: first.clientId,
      clientSecret: (await rotate(first.clientId)).body.clientSecret,
    };
    const third = {
      clientId: first.clientId,
      clientSecret: (await rotate(first.clientId)).body.clientSecret,
    };
    expect((await grant(origin(), first)).status).toBe(401);
    expect((await grant(origin(), second)).status).toBe(200);
    expect((await grant(origin(), third)).status).toBe(200);
  });

  it('with graceSeconds 0 ends the previous secret at once', async () => {
    const app = await acme.createApp();
    await accessToken(origin(), app);
    const rotated = await rotate(app.clientId, { graceSeconds: 0 });
    expect(rotated.status).toBe(201);
    expect((await grant(origin(), app)).status).toBe(401);
  });

  it.each([
    { graceSeconds: -1 },
    { graceSeconds: 604801 },
    { graceSeconds: 1.5 },
    { graceSeconds: '60' },
  ])('answers 400 for %o and rotates nothing', async (body) => {
    const app = await acme.createApp();
    expect((await rotate(app.clientId, body)).status).toBe(400);
    expect((await grant(origin(), app)).status).toBe(200);
  });

  it('stores only hashes of rotated secrets', async () => {
    const app = await acme.createApp();
    const rotated = await rotate(app.clientId);
    expect(await server().dump()).not.toContain(rotated.body.clientSecret.slice(3));
  });
});
