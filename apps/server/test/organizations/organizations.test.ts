import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  addMember,
  api,
  clientOf,
  introspect,
  platformAdminCommand,
  type SignedUpUser,
  signUp,
  tenant,
  uniqueEmail,
  uniqueSlug,
  useTestServer,
} from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;
const NOT_A_MEMBER = 'You are not a member of this organization';
const ONLY_OWNER = "Only the organization's owner can change or delete it";

/** An organization with an admin, a member, and someone outside it. */
async function team() {
  const org = await tenant(origin());
  const [admin, member, outsider] = await Promise.all([1, 2, 3].map(() => signUp(origin())));
  await addMember(origin(), org.owner.token, org.organizationId, admin!, 'admin');
  await addMember(origin(), org.owner.token, org.organizationId, member!, 'member');
  const path = `/organizations/${org.organizationId}`;
  return { ...org, admin: admin!, member: member!, outsider: outsider!, path };
}
const sql = (text: string, ...values: unknown[]): Promise<any[]> => server().sql(text, values);
const get = (path: string, token?: string) => api(origin(), 'GET', path, { token });
const orgRows = (id: string) => sql('select * from organizations where id = $1', id);
/** Expects a tRPC call to fail with `code`, and `message` when given. */
const refusedWith = (call: Promise<unknown>, code: string, message?: string) =>
  expect(call).rejects.toMatchObject({ data: { code }, ...(message && { message }) });
const trpc = (who?: SignedUpUser) => clientOf(origin(), who?.token).organizations;

describe('POST /api/organizations', () => {
  it('answers 201 and makes the creator the owner; 401 without a session', async () => {
    const user = await signUp(origin());
    const body = { name: 'Acme Corp', slug: uniqueSlug(), logo: 'https://cdn.example.com/l.png' };
    expect((await api(origin(), 'POST', '/organizations', { body })).status).toBe(401);
    const response = await api(origin(), 'POST', '/organizations', { token: user.token, body });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      ...body,
      id: expect.any(String),
      plan: 'free',
      ownerId: user.id,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const members = await sql(
      'select user_id, role from memberships where organization_id = $1',
      response.body.id,
    );
    expect(members).toEqual([{ user_id: user.id, role: 'owner' }]);
  });

  it.each([
    ['a short name', { name: 'ab', slug: uniqueSlug() }, 'name'],
    ['a long name', { name: 'n'.repeat(101), slug: uniqueSlug() }, 'name'],
    ['an uppercase slug', { name: 'Acme', slug: 'Acme-Corp' }, 'slug'],
    ['an http logo', { name: 'Acme', slug: uniqueSlug(), logo: 'http://x.example/l.png' }, 'logo'],
  ])('answers 400 for %s', async (_, body, field) => {
    const user = await signUp(origin());
    const response = await api(origin(), 'POST', '/organizations', { token: user.token, body });
    expect(response.status).toBe(400);
    expect(response.body.issues[0].path).toEqual([field]);
  });
});

describe('GET /api/organizations/{organizationId}', () => {
  it('shows the organization to its members, on both transports, and to no one else', async () => {
    const t = await team();
    const [row] = await orgRows(t.organizationId);
    const expected = {
      id: t.organizationId,
      name: 'Test Org',
      slug: row!.slug,
      logo: null,
      plan: 'free',
      ownerId: t.owner.id,
      createdAt: row!.created_at.toISOString(),
      updatedAt: row!.updated_at.toISOString(),
    };
    for (const person of [t.owner, t.admin, t.member]) {
      expect(await get(t.path, person.token)).toMatchObject({ status: 200, body: expected });
    }
    const input = { organizationId: t.organizationId };
    expect(await trpc(t.member).byId.query(input)).toEqual(expected);

    const outsider = await get(t.path, t.outsider.token);
    expect(outsider.status).toBe(403);
    const error = { statusCode: 403, error: 'Forbidden', message: NOT_A_MEMBER, code: 'FORBIDDEN' };
    expect(outsider.body).toEqual(error);
    const unknown = `/organizations/${crypto.randomUUID()}`;
    expect((await get(unknown, t.owner.token)).body).toEqual(error);
    await refusedWith(trpc(t.outsider).byId.query(input), 'FORBIDDEN', NOT_A_MEMBER);
    expect((await get(t.path)).status).toBe(401);
    expect((await get(t.path, 'not-a-token')).status).toBe(401);
  });
});

describe('PUT /api/organizations/{organizationId}', () => {
  let t: Awaited<ReturnType<typeof team>>;
  beforeAll(async () => {
    t = await team();
  });
  const put = (who: SignedUpUser | undefined, body: unknown) =>
    api(origin(), 'PUT', t.path, { token: who?.token, body });

  it('lets the owner rename it and set and clear its logo; the slug stays', async () => {
    const [before] = await orgRows(t.organizationId);
    const logo = 'https://cdn.example.com/new.png';
    const renamed = await put(t.owner, { name: '  Renamed Org  ', logo });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'Renamed Org', logo, slug: before!.slug });
    expect(Date.parse(renamed.body.updatedAt)).toBeGreaterThan(before!.updated_at.getTime());
    expect((await get(t.path, t.member.token)).body).toEqual(renamed.body);
    const input = { organizationId: t.organizationId, logo: null };
    expect(await trpc(t.owner).update.mutate(input)).toMatchObject({
      name: 'Renamed Org',
      logo: null,
    });
    expect(await orgRows(t.organizationId)).toEqual([
      expect.objectContaining({ name: 'Renamed Org', logo: null, slug: before!.slug }),
    ]);
  });

  it('refuses admins, members and outsiders before reading the body; changes nothing', async () => {
    const before = await orgRows(t.organizationId);
    for (const [who, message] of [
      [t.admin, ONLY_OWNER],
      [t.member, ONLY_OWNER],
      [t.outsider, NOT_A_MEMBER],
    ] as const) {
      for (const body of [{ name: 'Hijacked' }, { name: 'x', slug: 'hijacked' }]) {
        const response = await put(who, body);
        expect(response.status).toBe(403);
        expect(response.body).toMatchObject({ code: 'FORBIDDEN', message });
      }
    }
    expect((await put(undefined, { name: 'x' })).status).toBe(401);
    const hijack = { organizationId: t.organizationId, name: 'Hijacked' };
    await refusedWith(trpc(t.admin).update.mutate(hijack), 'FORBIDDEN', ONLY_OWNER);
    expect(await orgRows(t.organizationId)).toEqual(before);
  });

  it.each([
    ['a slug', { slug: uniqueSlug() }, 'slug', /slug cannot be changed/],
    ['a short name', { name: ' ab ' }, 'name', /at least 3/],
    ['a long name', { name: 'n'.repeat(101) }, 'name', /at most 100/],
    ['an http logo', { logo: 'http://cdn.example.com/l.png' }, 'logo', /https URL/],
    ['a logo that is not a URL', { logo: 'logo.png' }, 'logo', /https URL/],
  ])('answers 400 for %s and changes nothing', async (_, body, field, message) => {
    const before = await orgRows(t.organizationId);
    const response = await put(t.owner, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'BAD_REQUEST', issues: [{ path: [field] }] });
    expect(response.body.issues[0].message).toMatch(message);
    expect(await orgRows(t.organizationId)).toEqual(before);
  });
});

describe('DELETE /api/organizations/{organizationId}', () => {
  it('is refused to all but the owner’s session, on both transports', async () => {
    const t = await team();
    for (const [who, message] of [
      [t.admin, ONLY_OWNER],
      [t.member, ONLY_OWNER],
      [t.outsider, NOT_A_MEMBER],
    ] as const) {
      const response = await api(origin(), 'DELETE', t.path, { token: who.token });
      expect(response).toMatchObject({ status: 403, body: { message } });
    }
    const token = await accessToken(origin(), await t.createApp(['admin:organization']));
    const byApp = await api(origin(), 'DELETE', t.path, { token });
    expect(byApp).toMatchObject({ status: 403, body: { message: /send a session token/ } });
    expect((await api(origin(), 'DELETE', t.path)).status).toBe(401);
    const input = { organizationId: t.organizationId };
    await refusedWith(trpc(t.admin).delete.mutate(input), 'FORBIDDEN', ONLY_OWNER);
    expect(await orgRows(t.organizationId)).toHaveLength(1);

    await trpc(t.owner).delete.mutate(input);
    expect(await orgRows(t.organizationId)).toEqual([]);
    expect((await get(t.path, t.owner.token)).status).toBe(403);
    const mine = await get('/users/me/organizations', t.owner.token);
    expect(mine).toMatchObject({ status: 200, body: [] });
  });

  it('cascades to memberships, invitations, apps, their secrets and tokens', async () => {
    const t = await team();
    const [first, second] = [await t.createApp(), await t.createApp(['read:members'])];
    const token = await accessToken(origin(), first);
    await accessToken(origin(), second);
    await api(origin(), 'POST', `${t.path}/members/invite`, {
      token: t.owner.token,
      body: { email: uniqueEmail(), role: 'member' },
    });
    // A resource server elsewhere that may introspect every organization's tokens.
    const platform = await tenant(origin());
    const checker = await platform.createApp(['read:user']);
    await platformAdminCommand(server(), platform.owner.email);
    await api(origin(), 'PATCH', `/oauth/apps/${checker.clientId}`, {
      token: platform.owner.token,
      body: { isPlatformResourceServer: true },
    });
    expect((await introspect(origin(), checker, token)).body.active).toBe(true);
    expect((await get(t.path, token)).status).toBe(200);
    const apps = await sql(
      'select id from oauth_apps where organization_id = $1',
      t.organizationId,
    );
    const counts = () =>
      sql(
        `select (select count(*)::int from memberships where organization_id = $1) as memberships,
                (select count(*)::int from invitations where organization_id = $1) as invitations,
                (select count(*)::int from oauth_apps where organization_id = $1 or id = any($2)) as apps,
                (select count(*)::int from oauth_client_secrets where app_id = any($2)) as secrets,
                (select count(*)::int from oauth_access_tokens where app_id = any($2)) as tokens`,
        t.organizationId,
        apps.map((app) => app.id),
      );
    expect(await counts()).toEqual([
      { memberships: 3, invitations: 3, apps: 2, secrets: 2, tokens: 2 },
    ]);

    const deleted = await api(origin(), 'DELETE', t.path, { token: t.owner.token });
    expect(deleted).toMatchObject({ status: 204, body: undefined });
    expect(await counts()).toEqual([
      { memberships: 0, invitations: 0, apps: 0, secrets: 0, tokens: 0 },
    ]);
    expect(await introspect(origin(), checker, token)).toMatchObject({
      status: 200,
      body: { active: false },
    });
    expect((await get(t.path, token)).status).toBe(401);
    // The people stay, and can still sign in and use their accounts.
    const people = [t.owner.id, t.admin.id, t.member.id];
    expect(await sql('select id from users where id = any($1)', people)).toHaveLength(3);
    expect((await get('/users/me', t.admin.token)).status).toBe(200);
  });
});
