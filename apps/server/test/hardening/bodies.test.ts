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
      code: 'PAYLOAD_TOO_LARGE',
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

/** A request with a raw, possibly compressed, body. */
function send(path: string, body: Buffer | string, headers: Record<string, string>) {
  return fetch(`${server().url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${org.owner.token}`, ...headers },
    body,
  });
}

describe('compressed bodies', () => {
  const routes = [
    ['REST', '/api/oauth/apps', 'application/json'],
    ['registration', '/api/auth/register', 'application/json'],
    ['tRPC', '/trpc/oauthApps.create', 'application/json'],
    ['the token endpoint', '/api/oauth2/token', 'application/x-www-form-urlencoded'],
    ['the JSON token endpoint', '/api/oauth/token', 'application/json'],
  ] as const;

  it.each(
    routes.flatMap(([name, path, type]) =>
      ['gzip', 'deflate', 'br'].map((encoding) => [`${encoding} on ${name}`, path, type, encoding]),
    ),
  )(
    'answers 400 to %s that does not inflate, as a client error',
    async (_, path, type, encoding) => {
      const before = await appCount();
      const response = await send(path, 'this is not compressed at all', {
        'content-type': type,
        'content-encoding': encoding,
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as any;
      if (path.includes('oauth2') || path.endsWith('/oauth/token')) {
        expect(body).toMatchObject({ error: 'invalid_request' });
        expect(body.error_description).toMatch(/Content-Encoding/);
      } else if (path.startsWith('/trpc')) {
        expect(body.error.data).toEqual({ code: 'BAD_REQUEST', httpStatus: 400 });
      } else {
        expect(body).toMatchObject({
          statusCode: 400,
          message: expect.stringMatching(/Content-Encoding/),
        });
      }
      expect(await appCount()).toBe(before);
      expect(server().logs()).not.toMatch(/"level":50/);
    },
  );

  it('takes a gzip body that inflates, on both transports', async () => {
    const { gzipSync } = await import('node:zlib');
    const app = (name: string) => gzipSync(JSON.stringify({ name, scopes: ['read:user'] }));
    const headers = { 'content-type': 'application/json', 'content-encoding': 'gzip' };
    expect((await send('/api/oauth/apps', app('Gzipped REST'), headers)).status).toBe(201);
    expect((await send('/trpc/oauthApps.create', app('Gzipped tRPC'), headers)).status).toBe(200);
  });

  it('answers 415 to an encoding it does not speak', async () => {
    const response = await send('/api/oauth/apps', '{}', {
      'content-type': 'application/json',
      'content-encoding': 'compress',
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as any).message).toMatch(/identity, gzip, deflate or br/);
  });
});

describe('the same body rules on tRPC', () => {
  const trpc = (body: string, type = 'application/json') =>
    send('/trpc/oauthApps.create', body, { 'content-type': type });

  it.each([
    [
      'over 64 KiB',
      () => trpc(JSON.stringify({ name: BIG, scopes: ['read:user'] })),
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    [
      'not JSON',
      () => trpc('name=x', 'application/x-www-form-urlencoded'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    [
      'nested 30,000 levels',
      () => trpc(`{"name":${'['.repeat(30_000)}${']'.repeat(30_000)}}`),
      400,
      'BAD_REQUEST',
    ],
    ['malformed', () => trpc('{"name":'), 400, 'BAD_REQUEST'],
  ])('answers %s in tRPC’s envelope, before any work', async (_, request, status, code) => {
    const before = await appCount();
    const response = await request();
    expect(response.status).toBe(status);
    expect(((await response.json()) as any).error.data).toEqual({ code, httpStatus: status });
    expect(await appCount()).toBe(before);
  });

  it('limits the depth of query input as of bodies', async () => {
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    const response = await fetch(
      `${server().url}/trpc/users.me?input=${encodeURIComponent(deep)}`,
      { headers: { authorization: `Bearer ${org.owner.token}` } },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.message).toMatch(/nest deeper than 16/);
  });
});

describe('the OAuth endpoints’ body errors', () => {
  it.each([
    [
      '413',
      () =>
        formPost(
          server().url,
          '/oauth2/token',
          { grant_type: 'client_credentials', scope: BIG },
          app,
        ),
      413,
    ],
    ['415', () => post('/oauth2/introspect', '{"token":"x"}', 'application/json'), 415],
  ])('answer %s as RFC 6749 errors', async (_, request, status) => {
    const response = await request();
    expect(response.status).toBe(status);
    expect(response.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
    });
  });
});
