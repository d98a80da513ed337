import { describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  addMember,
  api,
  clientOf,
  createOrganization,
  grant,
  type SignedUpUser,
  signUp,
  tenant,
  useTestServer,
} from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;
const NOT_A_MEMBER = 'You are not a member of this organization';
const ONLY_MANAGERS = 'Only owners and admins can manage members and invitations';
const ONLY_OWNER_ADMINS = "Only the owner can change an admin's role or remove an admin";
const OWNER_FIXED = /^The owner's role never changes, and the owner cannot be removed or leave/;
const NO_MEMBER = 'No member with this id in this organization';
const BAD_CURSOR = {
  code: 'BAD_REQUEST',
  message: 'after must be an id from the previous page of this list',
};

const sql = (text: string, ...values: unknown[]): Promise<any[]> => server().sql(text, values);
const get = (path: string, token: string) => api(origin(), 'GET', path, { token });
/** Expects a tRPC call to fail with `code`, and `message` when given. */
const refusedWith = (call: Promise<unknown>, code: string, message?: string) =>
  expect(call).rejects.toMatchObject({ data: { code }, ...(message && { message }) });
/** The role of membership `id`, read from the database; undefined once it is gone. */
const roleOf = async (id: string) =>
  (await sql('select role from memberships where id = $1', id))[0]?.role;
const IN_ORDER = 'select id from memberships where organization_id = $1 order by created_at, id';
const membershipsOf = async (orgId: string) => (await sql(IN_ORDER, orgId)).map((row) => row.id);

/** An organization its people joined in the order of `roles`; `ids`: owner's, then theirs. */
async function team(roles: ('admin' | 'member')[]) {
  const org = await tenant(origin());
  const people = await Promise.all(roles.map(() => signUp(origin())));
  for (const [i, person] of people.entries()) {
    await addMember(origin(), org.owner.token, org.organizationId, person, roles[i]!);
  }
  const path = `/organizations/${org.organizationId}/members`;
  const as = (who?: SignedUpUser) => ({
    list: (query = '') => api(origin(), 'GET', `${path}${query}`, { token: who?.token }),
    setRole: (id: string, role: string) =>
      api(origin(), 'PUT', `${path}/${id}/role`, { token: who?.token, body: { role } }),
    remove: (id: string) => api(origin(), 'DELETE', `${path}/${id}`, { token: who?.token }),
    trpc: clientOf(origin(), who?.token).members,
  });
  return { ...org, people, path, ids: await membershipsOf(org.organizationId), as };
}

describe('GET /api/organizations/{organizationId}/members', () => {
  it('lists everyone to any member, owner first, a page at a time', async () => {
    const t = await team(['admin', 'admin', 'member', 'member']);
    const member = t.as(t.people[3]);
    const all = await member.list();
    expect(all.status).toBe(200);
    expect(all.headers.get('link')).toBeNull();
    expect(all.body).toEqual(
      [t.owner, ...t.people].map((person, i) => ({
        id: t.ids[i],
        role: ['owner', 'admin', 'admin', 'member', 'member'][i],
        joinedAt: expect.any(String),
        user: { id: person.id, email: person.email, name: null },
      })),
    );
    const pages: string[][] = [];
    for (let query = '?limit=2'; query; ) {
      const page = await member.list(query);
      pages.push(page.body.map((row: { id: string }) => row.id));
      query = pages.flat().length < 5 ? `?limit=2&after=${pages.flat().at(-1)}` : '';
      const next = `<${server().server.services.config.issuerUrl}/api${t.path}${query}>; rel="next"`;
      expect(page.headers.get('link')).toBe(query ? next : null);
    }
    expect(pages).toEqual([t.ids.slice(0, 2), t.ids.slice(2, 4), t.ids.slice(4)]);
    const input = { organizationId: t.organizationId, limit: 3, after: t.ids[0] };
    expect(await member.trpc.list.query(input)).toEqual(all.body.slice(1, 4));
  });

  it('refuses outsiders and the anonymous, then cursors not from this list', async () => {
    const t = await team(['member']);
    const other = await tenant(origin());
    const outsider = t.as(other.owner);
    expect(await outsider.list()).toMatchObject({ status: 403, body: { message: NOT_A_MEMBER } });
    expect((await t.as().list()).status).toBe(401);
    const input = { organizationId: t.organizationId };
    await refusedWith(outsider.trpc.list.query(input), 'FORBIDDEN', NOT_A_MEMBER);
    const foreign = await membershipsOf(other.organizationId);
    for (const after of [crypto.randomUUID(), 'nope', ...foreign]) {
      const response = await t.as(t.people[0]).list(`?after=${after}`);
      expect(response, after).toMatchObject({ status: 400, body: BAD_CURSOR });
    }
  });
});

describe('PUT /api/organizations/{organizationId}/members/{memberId}/role', () => {
  it('lets admins change members, the owner anyone but themself; refuses the rest', async () => {
    const t = await team(['admin', 'admin', 'member', 'member']);
    const [ownerId, adminId, otherId, promotedId, memberId] = t.ids as string[];
    const admin = t.as(t.people[0]);
    const ok = await admin.setRole(promotedId!, 'admin');
    expect(ok).toMatchObject({ status: 200, body: { id: promotedId, role: 'admin' } });
    expect(ok.body).toEqual((await admin.list()).body[3]); // the member, user and all
    const other = await tenant(origin());
    const [foreign] = (await membershipsOf(other.organizationId)) as [string];
    for (const [id, role, status, message] of [
      [otherId!, 'member', 403, ONLY_OWNER_ADMINS],
      [promotedId!, 'member', 403, ONLY_OWNER_ADMINS],
      [ownerId!, 'member', 403, OWNER_FIXED],
      [crypto.randomUUID(), 'member', 404, NO_MEMBER],
      [foreign, 'member', 404, NO_MEMBER],
      [memberId!, 'owner', 400, 'Input validation failed'],
    ] as const) {
      const response = await admin.setRole(id, role);
      expect(response.status, `${id} ${role}`).toBe(status);
      expect(response.body.message).toMatch(message);
    }
    // A member is refused before their input is looked at.
    const byMember = await t.as(t.people[3]).setRole(adminId!, 'owner');
    expect(byMember).toMatchObject({ status: 403, body: { message: ONLY_MANAGERS } });
    expect((await t.as(other.owner).setRole(memberId!, 'admin')).body.message).toBe(NOT_A_MEMBER);
    expect((await t.as().setRole(memberId!, 'admin')).status).toBe(401);
    const input = { organizationId: t.organizationId, memberId: otherId!, role: 'member' as const };
    await refusedWith(t.as(t.people[3]).trpc.changeRole.mutate(input), 'FORBIDDEN', ONLY_MANAGERS);
    await refusedWith(admin.trpc.changeRole.mutate({ ...input, memberId: foreign }), 'NOT_FOUND');
    const roles = () => Promise.all([...t.ids, foreign].map(roleOf));
    expect(await roles()).toEqual(['owner', 'admin', 'admin', 'admin', 'member', 'owner']);
    // The owner changes admins too (here on tRPC), but never their own role.
    const demoted = await t.as(t.owner).trpc.changeRole.mutate({ ...input, memberId: otherId! });
    expect(demoted).toEqual((await admin.list()).body[2]);
    const own = await t.as(t.owner).setRole(ownerId!, 'member');
    expect([own.status, own.body.message]).toEqual([403, expect.stringMatching(OWNER_FIXED)]);
    expect(await roles()).toEqual(['owner', 'admin', 'member', 'admin', 'member', 'owner']);
    // A UUID in capitals names the same member.
    const shouted = await t.as(t.owner).setRole(memberId!.toUpperCase(), 'admin');
    expect(shouted).toMatchObject({ status: 200, body: { id: memberId, role: 'admin' } });
  });
});

describe('DELETE /api/organizations/{organizationId}/members/{memberId}', () => {
  it('shuts the removed out at once; elsewhere nothing changes; their apps keep working', async () => {
    const t = await team(['admin', 'member']);
    const [admin, member] = t.people as [SignedUpUser, SignedUpUser];
    const elsewhere = await createOrganization(origin(), admin.token, 'Elsewhere');
    const inOrg = clientOf(origin(), admin.token, t.organizationId).oauthApps.create;
    const app = await inOrg.mutate({ name: 'By admin', scopes: ['read:organization'] });
    const before = await get('/users/me/organizations', admin.token);
    const [row] = await sql('select slug from organizations where id = $1', t.organizationId);
    const joinedAt = expect.any(String);
    expect(before.status).toBe(200); // the oldest membership first
    expect(before.body).toEqual([
      { id: t.organizationId, name: 'Test Org', slug: row!.slug, role: 'admin', joinedAt },
      { id: elsewhere.id, name: 'Elsewhere', slug: elsewhere.slug, role: 'owner', joinedAt },
    ]);
    const myOrganizations = clientOf(origin(), admin.token).users.myOrganizations;
    expect(await myOrganizations.query()).toEqual(before.body);
    expect((await t.as(t.owner).remove(t.ids[2]!)).status).toBe(204);
    const orgPath = `/organizations/${t.organizationId}`;
    const shut = await get(orgPath, member.token);
    expect(shut).toMatchObject({ status: 403, body: { message: NOT_A_MEMBER } });
    expect((await t.as(member).list()).status).toBe(403);
    const byTrpc = { organizationId: t.organizationId, memberId: t.ids[1]! };
    await t.as(t.owner).trpc.remove.mutate(byTrpc);
    expect((await get(orgPath, admin.token)).status).toBe(403);
    const late = inOrg.mutate({ name: 'Late', scopes: ['read:user'] });
    await refusedWith(late, 'FORBIDDEN', NOT_A_MEMBER);
    expect((await get(`/organizations/${elsewhere.id}`, admin.token)).status).toBe(200);
    expect((await get('/users/me/organizations', admin.token)).body).toEqual([before.body[1]]);
    expect(await membershipsOf(t.organizationId)).toEqual([t.ids[0]]);
    // The app the admin registered is the organization's, and keeps working.
    const granted = await grant(origin(), app);
    expect(granted.status).toBe(200);
    const read = await get(orgPath, granted.body.access_token);
    expect(read).toMatchObject({ status: 200, body: { id: t.organizationId } });
  });

  it('lets admins remove members only; members only leave; the owner stays', async () => {
    const t = await team(['admin', 'admin', 'member', 'member']);
    const [ownerId, adminId, otherId, memberId, leaverId] = t.ids as string[];
    const [admin, other, , leaver] = t.people as SignedUpUser[];
    expect((await t.as(admin).remove(memberId!)).status).toBe(204);
    const outsider = (await tenant(origin())).owner;
    for (const [who, id, status, message] of [
      [admin, memberId!, 404, NO_MEMBER],
      [admin, crypto.randomUUID(), 404, NO_MEMBER],
      [admin, otherId!, 403, ONLY_OWNER_ADMINS],
      [admin, ownerId!, 403, OWNER_FIXED],
      [t.owner, ownerId!, 403, OWNER_FIXED],
      [leaver, adminId!, 403, ONLY_MANAGERS],
      [leaver, ownerId!, 403, ONLY_MANAGERS],
      [outsider, leaverId!, 403, NOT_A_MEMBER],
    ] as const) {
      const response = await t.as(who).remove(id);
      expect(response.status, `${who!.email} ${id}`).toBe(status);
      expect(response.body.message).toMatch(message);
    }
    expect((await t.as().remove(leaverId!)).status).toBe(401);
    const input = (memberId: string) => ({ organizationId: t.organizationId, memberId });
    const asLeaver = t.as(leaver).trpc.remove;
    await refusedWith(asLeaver.mutate(input(otherId!)), 'FORBIDDEN', ONLY_MANAGERS);
    await asLeaver.mutate(input(leaverId!));
    expect((await t.as(other).remove(otherId!)).status).toBe(204);
    expect(await membershipsOf(t.organizationId)).toEqual([ownerId, adminId]);
  });
});

describe('concurrent changes of members (never a 500)', () => {
  it('owner and admin changing one member: the owner’s promotion always holds', async () => {
    const t = await team(['admin', 'member']);
    const [owner, admin, memberId] = [t.as(t.owner), t.as(t.people[0]), t.ids[2]!];
    for (let round = 0; round < 5; round++) {
      await owner.setRole(memberId, 'member');
      const [promotions, demotions] = await Promise.all([
        Promise.all([1, 2, 3].map(() => owner.setRole(memberId, 'admin'))),
        Promise.all([1, 2, 3].map(() => admin.setRole(memberId, 'member'))),
      ]);
      expect(promotions.map((r) => r.status)).toEqual([200, 200, 200]);
      // Once promoted, the member is an admin the admin may not change: it never goes back.
      for (const response of demotions.filter((r) => r.status !== 200)) {
        expect(response).toMatchObject({ status: 403, body: { message: ONLY_OWNER_ADMINS } });
      }
      expect(await roleOf(memberId)).toBe('admin');
    }
  });

  it('an admin acting while the owner demotes them and another admin removes them', async () => {
    for (let round = 0; round < 6; round++) {
      const t = await team(['admin', 'admin', 'member']);
      const [, a, b, m] = t.ids as string[];
      const [demote, aRemovesM, aDemotesB, bRemovesA] = await Promise.all([
        t.as(t.owner).setRole(a!, 'member'),
        t.as(t.people[0]).remove(m!),
        t.as(t.people[0]).setRole(b!, 'member'),
        t.as(t.people[1]).remove(a!),
      ]);
      expect([200, 404]).toContain(demote.status);
      expect(aDemotesB.status).toBe(403);
      // Each answer tells what happened: a removal that answered 403 removed no one.
      const outcome = async (removal: ApiResponse, id: string) =>
        `${removal.status} ${(await roleOf(id)) ?? 'gone'}`;
      expect(['204 gone', '403 member']).toContain(await outcome(aRemovesM, m!));
      expect(['204 gone', '403 member']).toContain(await outcome(bRemovesA, a!));
      if (demote.status === 404) expect(bRemovesA.status).toBe(204);
      expect(await roleOf(b!)).toBe('admin');
    }
  });
});
