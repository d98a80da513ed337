import { verify } from '@node-rs/argon2';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  api,
  createOrganization,
  platformAdminCommand,
  type SignedUpUser,
  signUp,
  useTestServer,
} from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;

// The seed documentation's example request, verbatim.
const SEED_EXAMPLE = `{
    "name": "My Integration",
    "description": "Integration for managing organization data",
    "redirectUri": "https://example.com/callback",
    "scopes": ["read:organization", "write:organization"]
  }`;

const validApp = { name: 'My Integration', scopes: ['read:organization'] };

let owner: SignedUpUser;
let organizationId: string;

beforeAll(async () => {
  owner = await signUp(origin());
  organizationId = (await createOrganization(origin(), owner.token)).id;
});

/** Creates in the main organization unless other headers are given. */
const create = (
  token: string | undefined,
  body: unknown,
  headers: Record<string, string> = { 'X-Organization-Id': organizationId },
) => api(origin(), 'POST', '/oauth/apps', { token, body, headers });

describe('POST /api/oauth/apps', () => {
  it('answers the seed example verbatim with 201 and the documented body', async () => {
    const response = await api(origin(), 'POST', '/oauth/apps', {
      token: owner.token,
      rawBody: SEED_EXAMPLE,
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toEqual({
      clientId: expect.stringMatching(/^app_[0-9a-f]{16}$/),
      clientSecret: expect.stringMatching(/^cs_[A-Za-z0-9_-]{43,}$/),
      name: 'My Integration',
      description: 'Integration for managing organization data',
      redirectUri: 'https://example.com/callback',
      scopes: ['read:organization', 'write:organization'],
      isActive: true,
      createdAt: expect.any(String),
      organizationId,
    });
    expect(new Date(response.body.createdAt).toISOString()).toBe(response.body.createdAt);
  });

  it('keeps only an argon2id hash (m=19456, t=2, p=1) that verifies the returned secret', async () => {
    const { body } = await create(owner.token, validApp);
    const [row] = await server().sql<{ secret_hash: string; hint: string }>(
      `select s.secret_hash, s.hint from oauth_client_secrets s
       join oauth_apps a on a.id = s.app_id where a.client_id = $1`,
      [body.clientId],
    );
    expect(row?.secret_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verify(row!.secret_hash, body.clientSecret)).toBe(true);
    expect(await verify(row!.secret_hash, `${body.clientSecret}x`)).toBe(false);
    expect(row?.hint).toBe(body.clientSecret.slice(-4));
  });

  it('draws at least 256 bits for every secret', async () => {
    const { body } = await create(owner.token, validApp);
    const random = Buffer.from(body.clientSecret.slice(3), 'base64url');
    expect(random.length).toBeGreaterThanOrEqual(32);
  });

  it('never writes the secret to the database or the logs', async () => {
    const { body } = await create(owner.token, { ...validApp, name: 'Leak check' });
    expect(server().logs()).toContain('/api/oauth/apps'); // request logging is on
    expect(server().logs()).not.toContain(body.clientSecret);
    expect(server().logs()).not.toContain(body.clientSecret.slice(3));
    const dump = await server().dump();
    expect(dump).toContain(body.clientId);
    expect(dump).not.toContain(body.clientSecret.slice(3));
  });

  it('gives 50 parallel creates 50 rows and 50 distinct client ids', async () => {
    const { id: org } = await createOrganization(origin(), owner.token, 'Parallel');
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        create(owner.token, { ...validApp, name: `App ${i}` }, { 'X-Organization-Id': org }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    expect(new Set(responses.map((r) => r.body.clientId)).size).toBe(50);
    const [count] = await server().sql<{ n: number }>(
      'select count(*)::int as n from oauth_apps where organization_id = $1',
      [org],
    );
    expect(count?.n).toBe(50);
  });

  it('accepts application/json with a charset parameter', async () => {
    const response = await api(origin(), 'POST', '/oauth/apps', {
      token: owner.token,
      body: validApp,
      contentType: 'application/json; charset=utf-8',
      headers: { 'X-Organization-Id': organizationId },
    });
    expect(response.status).toBe(201);
  });

  it('ignores unknown fields and never assigns protected ones', async () => {
    const { id: other } = await createOrganization(origin(), owner.token, 'Other');
    const response = await create(
      owner.token,
      {
        ...validApp,
        clientId: 'app_0000000000000000',
        clientSecret: 'cs_chosen_by_attacker',
        isActive: false,
        organizationId: other,
        extra: 'ignored',
      },
      { 'X-Organization-Id': organizationId },
    );
    expect(response.status).toBe(201);
    expect(response.body.clientId).not.toBe('app_0000000000000000');
    expect(response.body.clientSecret).not.toBe('cs_chosen_by_attacker');
    expect(response.body.isActive).toBe(true);
    expect(response.body.organizationId).toBe(organizationId);
    expect(response.body).not.toHaveProperty('extra');
  });

  it('treats empty strings and null as absent, and trims', async () => {
    const response = await create(owner.token, {
      name: '  Padded  ',
      description: '   ',
      redirectUri: null,
      scopes: ['read:user'],
    });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ name: 'Padded', description: null, redirectUri: null });

    const blank = await create(owner.token, { ...validApp, description: null, redirectUri: '' });
    expect(blank.status).toBe(201);
    expect(blank.body).toMatchObject({ description: null, redirectUri: null });
  });

  it('keeps scopes in request order and redirect URIs exactly as sent', async () => {
    const redirectUri = 'https://EXAMPLE.com:443/cb/../x?b=2&a=1';
    const response = await create(owner.token, {
      name: 'Order',
      redirectUri,
      scopes: ['write:members', 'read:user', 'read:members'],
    });
    expect(response.status).toBe(201);
    expect(response.body.scopes).toEqual(['write:members', 'read:user', 'read:members']);
    expect(response.body.redirectUri).toBe(redirectUri);
    const [row] = await server().sql<{ redirect_uri: string; scopes: string[] }>(
      'select redirect_uri, scopes from oauth_apps where client_id = $1',
      [response.body.clientId],
    );
    expect(row).toEqual({ redirect_uri: redirectUri, scopes: response.body.scopes });
  });
});

describe('POST /api/oauth/apps: who may create', () => {
  let admin: SignedUpUser;
  let member: SignedUpUser;
  let outsider: SignedUpUser;

  beforeAll(async () => {
    [admin, member, outsider] = await Promise.all([
      signUp(origin()),
      signUp(origin()),
      signUp(origin()),
    ]);
    await addMember(origin(), owner.token, organizationId, admin, 'admin');
    await addMember(origin(), owner.token, organizationId, member, 'member');
  });

  it('lets an admin create', async () => {
    const response = await create(admin.token, validApp, { 'X-Organization-Id': organizationId });
    expect(response.status).toBe(201);
    expect(response.body.organizationId).toBe(organizationId);
  });

  it('answers 401 for a missing, malformed, tampered or unsigned bearer', async () => {
    const [header, payload] = owner.token.split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'session+jwt' })).toString('base64url')}.${payload}.`;
    const tamperedPayload = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload!, 'base64url').toString()),
        sub: member.id,
      }),
    ).toString('base64url');
    const tampered = `${header}.${tamperedPayload}.${owner.token.split('.')[2]}`;
    for (const authorization of [
      undefined,
      'Bearer',
      'Basic dXNlcjpwYXNz',
      'Bearer not-a-jwt',
      `Bearer ${unsigned}`,
      `Bearer ${tampered}`,
    ]) {
      const response = await api(origin(), 'POST', '/oauth/apps', {
        body: validApp,
        headers: authorization ? { authorization } : {},
      });
      expect(response.status, authorization).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
  });

  it('answers 403 in the seed words for a member, and creates nothing', async () => {
    const before = await server().sql('select id from oauth_apps');
    const response = await create(member.token, validApp, { 'X-Organization-Id': organizationId });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({
      statusCode: 403,
      error: 'Forbidden',
      message: 'Only owners and admins can create OAuth applications.',
    });
    expect(await server().sql('select id from oauth_apps')).toHaveLength(before.length);
  });

  it('answers 403 for non-members and for unknown or malformed organization ids', async () => {
    for (const id of [
      organizationId,
      crypto.randomUUID(),
      'not-a-uuid',
      'sole',
      "'; drop table users;--",
    ]) {
      const response = await create(outsider.token, validApp, { 'X-Organization-Id': id });
      expect(response.status, id).toBe(403);
    }
  });

  it('answers 403 to a caller in no organization, and 400 naming the header to one in several', async () => {
    const none = await create(outsider.token, validApp, {});
    expect(none.status).toBe(403);

    // The owner belongs to several organizations by now.
    const several = await create(owner.token, validApp, {});
    expect(several.status).toBe(400);
    expect(several.body.message).toContain('X-Organization-Id');
  });

  it('uses the only organization of a caller who has one', async () => {
    const solo = await signUp(origin());
    const { id } = await createOrganization(origin(), solo.token);
    const response = await create(solo.token, validApp, {});
    expect(response.status).toBe(201);
    expect(response.body.organizationId).toBe(id);
  });

  it('checks the role before the body: a member with a bad body gets 403, not 400', async () => {
    const response = await create(
      member.token,
      { name: '' },
      { 'X-Organization-Id': organizationId },
    );
    expect(response.status).toBe(403);
  });

  it('checks the body before the scope grant: an admin with a bad body and admin:all gets 400', async () => {
    const response = await create(
      admin.token,
      { name: '', scopes: ['admin:all'] },
      { 'X-Organization-Id': organizationId },
    );
    expect(response.status).toBe(400);
  });

  it('lets only a platform administrator who administers the organization grant admin:all', async () => {
    const request = { name: 'Everything', scopes: ['read:user', 'admin:all'] };
    const denied = await create(owner.token, request, { 'X-Organization-Id': organizationId });
    expect(denied.status).toBe(403);
    expect(denied.body.message).toContain('admin:all');

    const platformAdmin = await signUp(origin());
    await platformAdminCommand(server(), platformAdmin.email);
    const me = await api(origin(), 'GET', '/users/me', { token: platformAdmin.token });
    expect(me.body.isPlatformAdmin).toBe(true);

    // Platform administrator, but only a member here: the role check comes first.
    await addMember(origin(), owner.token, organizationId, platformAdmin, 'member');
    const asMember = await create(platformAdmin.token, request, {
      'X-Organization-Id': organizationId,
    });
    expect(asMember.status).toBe(403);

    const { id: own } = await createOrganization(origin(), platformAdmin.token);
    const granted = await create(platformAdmin.token, request, { 'X-Organization-Id': own });
    expect(granted.status).toBe(201);
    expect(granted.body.scopes).toEqual(['read:user', 'admin:all']);
  });
});

describe('an app with admin:all', () => {
  it('is changed only by a platform administrator; an admin may stop it', async () => {
    const platformAdmin = await signUp(origin());
    await platformAdminCommand(server(), platformAdmin.email);
    const admin = await signUp(origin());
    const { id: org } = await createOrganization(origin(), platformAdmin.token, 'Powerful');
    await addMember(origin(), platformAdmin.token, org, admin, 'admin');
    const headers = { 'X-Organization-Id': org };
    const created = await create(
      platformAdmin.token,
      { name: 'All', scopes: ['admin:all'] },
      headers,
    );
    expect(created.status).toBe(201);
    const path = `/oauth/apps/${created.body.clientId}`;
    const as = (token: string, method: string, suffix = '', body?: unknown) =>
      api(origin(), method, `${path}${suffix}`, { token, body });

    expect((await as(admin.token, 'POST', '/secret', {})).status).toBe(403);
    expect((await as(admin.token, 'PATCH', '', { isActive: false })).status).toBe(200);
    expect((await as(admin.token, 'PATCH', '', { isActive: true })).status).toBe(403);
    for (const change of [
      { name: 'Renamed' },
      { description: 'Changed' },
      { redirectUri: 'https://evil.example/cb' },
      { scopes: ['admin:all', 'read:user'] },
      { isActive: false, name: 'Renamed' },
    ]) {
      const refused = await as(admin.token, 'PATCH', '', change);
      expect(refused.status).toBe(403);
      expect(refused.body.message).toMatch(/platform administrators.*deactivate or delete/);
    }
    expect((await as(admin.token, 'GET')).body).toMatchObject({ name: 'All', redirectUri: null });
    // The platform administrator may do all of it.
    expect((await as(platformAdmin.token, 'PATCH', '', { isActive: true })).status).toBe(200);
    expect((await as(platformAdmin.token, 'PATCH', '', { name: 'Renamed' })).status).toBe(200);
    expect((await as(platformAdmin.token, 'POST', '/secret', {})).status).toBe(201);
    // And an admin may still delete it.
    expect((await as(admin.token, 'DELETE')).status).toBe(204);
  });
});

describe('POST /api/oauth/apps: bad input', () => {
  const headers = () => ({ 'X-Organization-Id': organizationId });

  const invalidBodies: [string, unknown, string][] = [
    ['name missing', { scopes: ['read:user'] }, 'name'],
    ['name empty after trimming', { name: '   ', scopes: ['read:user'] }, 'name'],
    ['name over 100', { name: 'x'.repeat(101), scopes: ['read:user'] }, 'name'],
    ['name not a string', { name: 42, scopes: ['read:user'] }, 'name'],
    ['description over 500', { ...validApp, description: 'x'.repeat(501) }, 'description'],
    ['scopes missing', { name: 'x' }, 'scopes'],
    ['scopes empty', { name: 'x', scopes: [] }, 'scopes'],
    ['unknown scope', { name: 'x', scopes: ['read:everything'] }, 'scopes'],
    ['duplicate scopes', { name: 'x', scopes: ['read:user', 'read:user'] }, 'scopes'],
    ['more than 10 scopes', { name: 'x', scopes: Array(11).fill('read:user') }, 'scopes'],
    ['scopes not an array', { name: 'x', scopes: 'read:user' }, 'scopes'],
    ['redirectUri relative', { ...validApp, redirectUri: '/callback' }, 'redirectUri'],
    [
      'redirectUri with fragment',
      { ...validApp, redirectUri: 'https://a.example/cb#x' },
      'redirectUri',
    ],
    [
      'redirectUri plain http',
      { ...validApp, redirectUri: 'http://example.com/cb' },
      'redirectUri',
    ],
    ['redirectUri javascript', { ...validApp, redirectUri: 'javascript:alert(1)' }, 'redirectUri'],
    [
      'redirectUri too long',
      { ...validApp, redirectUri: `https://a.example/${'x'.repeat(2048)}` },
      'redirectUri',
    ],
  ];

  it.each(invalidBodies)(
    '400 for %s, naming the field, and stores nothing',
    async (_, body, field) => {
      const before = await server().sql('select id from oauth_apps');
      const response = await create(owner.token, body, headers());
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      expect(response.body.issues.map((issue: { path: string[] }) => issue.path[0])).toContain(
        field,
      );
      expect(await server().sql('select id from oauth_apps')).toHaveLength(before.length);
    },
  );

  it('names every failing field at once', async () => {
    const response = await create(owner.token, { name: '', scopes: [] }, headers());
    expect(response.status).toBe(400);
    const fields = response.body.issues.map((issue: { path: string[] }) => issue.path[0]);
    expect(fields).toEqual(expect.arrayContaining(['name', 'scopes']));
    for (const issue of response.body.issues) expect(issue.message).toEqual(expect.any(String));
  });

  it.each([
    ['malformed JSON', '{"name": "x",'],
    ['a JSON string', '"just a string"'],
    ['a JSON array', '[{"name": "x", "scopes": ["read:user"]}]'],
    ['null', 'null'],
  ])('400 for a body that is %s', async (_, rawBody) => {
    const response = await api(origin(), 'POST', '/oauth/apps', {
      token: owner.token,
      rawBody,
      headers: headers(),
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'application/xml'])(
    '415 for Content-Type %s',
    async (contentType) => {
      const response = await api(origin(), 'POST', '/oauth/apps', {
        token: owner.token,
        rawBody: 'name=x&scopes=read:user',
        contentType,
        headers: headers(),
      });
      expect(response.status).toBe(415);
      expect(response.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    },
  );

  it('never shows a stack trace or internals in an error body', async () => {
    const response = await create(owner.token, { name: 42, scopes: 'x' }, headers());
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(/stack|\.ts:|node_modules|select |insert /i);
    expect(response.body).not.toHaveProperty('data');
  });
});
