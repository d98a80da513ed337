import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type Client,
  formPost,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/** Oversized, malformed, hostile and mistyped bodies: each a clear 4xx, and nothing stored. */
const server = useTestServer();
let org: Tenant;
let app: Client;
const BIG = 'x'.repeat(70 * 1024);

beforeAll(async () => {
  org = await tenant(server().url);
  app = await org.createApp();
});

async function appCount() {
  return (await server().sql('select id from oauth_apps')).length;
}

async function post(path: string, rawBody: string, contentType = 'application/json') {
  return api(server().url, 'POST', path, { token: org.owner.token, rawBody, contentType });
}

describe('request bodies', () => {
  it.each([
    ['REST JSON', () => post('/oauth/apps', JSON.stringify({ name: BIG, scopes: ['read:user'] }))],
    [
      'registration',
      () => post('/auth/register', JSON.stringify({ email: 'a@b.co', password: BIG })),
    ],
    [
      'tRPC',
      () =>
        fetch(`${server().url}/trpc/oauthApps.create`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${org.owner.token}`,
          },
          body: JSON.stringify({ name: BIG, scopes: ['read:user'] }),
        }).then((r) => ({ status: r.status })),
    ],
    [
      'a form',
      () =>
        formPost(
          server().url,
          '/oauth2/token',
          { grant_type: 'client_credentials', scope: BIG },
          app,
        ),
    ],
  ])('answers 413 to a body over 64 KiB on %s', async (_, send) => {
    const before = await appCount();
    expect((await send()).status).toBe(413);
    expect(await appCount()).toBe(before);
  });

  it('answers 413 in the documented shape', async () => {
    const response = await post('/oauth/apps', JSON.stringify({ name: BIG }));
    expect(response.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'The request body must be at most 65536 bytes',
    });
  });

  it.each([
    ['truncated JSON', '{"name": "x", "scopes": ['],
    ['a trailing comma', '{"name": "x",}'],
    ['single quotes', "{'name': 'x'}"],
    ['a bare number', '42'],
    ['an empty array', '[]'],
    ['invalid UTF-8 escapes', '{"name": "\\ud800"}'],
  ])('answers 400 to %s', async (_, raw) => {
    const before = await appCount();
    const response = await post('/oauth/apps', raw);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(await appCount()).toBe(before);
  });

  it('answers 400 to a huge array without walking it into the database', async () => {
    const scopes = Array(5000).fill('read:user');
    const response = await post('/oauth/apps', JSON.stringify({ name: 'x', scopes }));
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body).length).toBeLessThan(20_000);
  });

  it('answers 400 to deep nesting, on both transports, without a stack overflow', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const body = `{"name": "x", "scopes": ${deep}}`;
    const response = await post('/oauth/apps', body);
    expect(response.status).toBe(400);
    expect(response.body.message).toMatch(/nest/);
    const trpc = await fetch(`${server().url}/trpc/oauthApps.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.owner.token}` },
      body,
    });
    expect(trpc.status).toBe(400);
    expect((await api(server().url, 'GET', '/health')).status).toBe(200);
  });

  it('answers 413 to a form with too many parameters', async () => {
    const params = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`p${i}`, 'x']));
    const response = await formPost(server().url, '/oauth2/token', params, app);
    expect(response.status).toBe(413);
  });

  it('answers 4xx, never 5xx, to NUL characters wherever text reaches the database', async () => {
    const login = await post(
      '/auth/login',
      JSON.stringify({ email: '\u0000@x.co', password: 'x' }),
    );
    expect(login.status).toBe(400);
    const create = await post(
      '/oauth/apps',
      JSON.stringify({ name: 'a\u0000b', scopes: ['read:user'] }),
    );
    expect(create.status).toBe(400);
    const read = await api(server().url, 'GET', '/oauth/apps/app_%00', { token: org.owner.token });
    expect(read.status).toBeGreaterThanOrEqual(400);
    expect(read.status).toBeLessThan(500);
    expect((await api(server().url, 'GET', '/health')).status).toBe(200);
  });

  it('ignores __proto__ and constructor keys', async () => {
    const response = await post(
      '/oauth/apps',
      '{"name": "Proto", "scopes": ["read:user"], "__proto__": {"isActive": false, "admin": true}, "constructor": {"prototype": {"polluted": true}}}',
    );
    expect(response.status).toBe(201);
    expect(response.body.isActive).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it.each([
    ['text/plain on a JSON route', '/oauth/apps', 'text/plain'],
    ['multipart on a JSON route', '/oauth/apps', 'multipart/form-data; boundary=x'],
    ['a form on a JSON route', '/auth/login', 'application/x-www-form-urlencoded'],
    ['JSON on a form route', '/oauth2/token', 'application/json'],
    ['XML on a form route', '/oauth2/introspect', 'application/xml'],
  ])('answers 415 to %s', async (_, path, contentType) => {
    const response = await post(path, 'name=x', contentType);
    expect(response.status).toBe(415);
  });
});
