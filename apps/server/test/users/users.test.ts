import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessToken,
  addMember,
  api,
  clientOf,
  createOrganization,
  platformAdminCommand,
  type SignedUpUser,
  signUp,
  useTestServer,
} from '../harness/index.js';

/**
 * People as others see them: only those who share an organization with the caller, and only
 * the organizations they share.
 */
const server = useTestServer();
const origin = () => server().url;

const NOBODY = '00000000-0000-4000-8000-000000000000';
const USER_NOT_FOUND = {
  statusCode: 404,
  error: 'Not Found',
  code: 'NOT_FOUND',
  message: 'No such person among those who share an organization with you',
};

interface Org {
  id: string;
  name: string;
  slug: string;
}

/**
 * Xavier owns A, is a member of B and an admin of C. The caller is a member of A and owns C;
 * B is none of the caller's business. The outsider owns D and shares nothing with them.
 */
let xavier: SignedUpUser;
let caller: SignedUpUser;
let outsider: SignedUpUser;
let owner: SignedUpUser;
const orgs = {} as Record<'a' | 'b' | 'c' | 'd', Org>;
/** Xavier's organizations as Xavier sees them, with his role and joinedAt. */
let xaviersOwn: { id: string; role: string; joinedAt: string }[];

beforeAll(async () => {
  [xavier, caller, outsider, owner] = await Promise.all([
    signUp(origin()),
    signUp(origin()),
    signUp(origin()),
    signUp(origin()),
  ]);
  orgs.a = await createOrganization(origin(), xavier.token, 'Org A');
  orgs.b = await createOrganization(origin(), owner.token, 'Org B');
  orgs.c = await createOrganization(origin(), caller.token, 'Org C');
  orgs.d = await createOrganization(origin(), outsider.token, 'Org D');
  await addMember(origin(), xavier.token, orgs.a.id, caller, 'member');
  await addMember(origin(), owner.token, orgs.b.id, xavier, 'member');
  await addMember(origin(), caller.token, orgs.c.id, xavier, 'admin');
  await api(origin(), 'PATCH', '/users/me', { token: xavier.token, body: { name: 'Xavier' } });
  const own = await api(origin(), 'GET', '/users/me/organizations', { token: xavier.token });
  expect(own.status).toBe(200);
  xaviersOwn = own.body;
});

/** Xavier's membership of `org`, as anyone who may see it sees it. */
function membership(org: Org, role: string) {
  const joined = xaviersOwn.find((entry) => entry.id === org.id)!;
  return { id: org.id, name: org.name, slug: org.slug, role, joinedAt: joined.joinedAt };
}

/** A fresh app of `org` holding `scopes`, made by its owner, and a token of it. */
async function appToken(org: Org, ownerToken: string, scopes: string[]) {
  const created = await api(origin(), 'POST', '/oauth/apps', {
    token: ownerToken,
    body: { name: 'Reader', scopes },
    headers: { 'X-Organization-Id': org.id },
  });
  expect(created.status).toBe(201);
  return accessToken(origin(), created.body);
}

describe('GET /api/users/me/organizations', () => {
  it('lists every organization of the caller, oldest membership first, with role and joinedAt', () => {
    expect(xaviersOwn).toEqual([
      { ...membership(orgs.a, 'owner') },
      { ...membership(orgs.b, 'member') },
      { ...membership(orgs.c, 'admin') },
    ]);
    const times = xaviersOwn.map((entry) => Date.parse(entry.joinedAt));
    expect(times).toEqual([...times].sort((x, y) => x - y));
  });
});

describe('GET /api/users/{userId}', () => {
  it('answers {id, email, name} of a person who shares an organization, and nothing more', async () => {
    const response = await api(origin(), 'GET', `/users/${xavier.id}`, { token: caller.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: xavier.id, email: xavier.email, name: 'Xavier' });
    // Either way round.
    const back = await api(origin(), 'GET', `/users/${caller.id}`, { token: xavier.token });
    expect(back.body).toEqual({ id: caller.id, email: caller.email, name: null });
  });

  it('answers 404 for anyone else, exactly as for no one', async () => {
    const unrelated = await api(origin(), 'GET', `/users/${xavier.id}`, { token: outsider.token });
    const nobody = await api(origin(), 'GET', `/users/${NOBODY}`, { token: outsider.token });
    // The owner of B shares B with Xavier, but not any organization with the caller.
    const twoSteps = await api(origin(), 'GET', `/users/${owner.id}`, { token: caller.token });
    for (const response of [unrelated, nobody, twoSteps]) {
      expect(response.status).toBe(404);
      expect(response.body).toEqual(USER_NOT_FOUND);
    }
  });

  it('stops seeing a person the moment they no longer share an organization', async () => {
    const [host, guest] = await Promise.all([signUp(origin()), signUp(origin())]);
    const org = await createOrganization(origin(), host.token);
    await addMember(origin(), host.token, org.id, guest, 'member');
    expect((await api(origin(), 'GET', `/users/${guest.id}`, { token: host.token })).status).toBe(
      200,
    );
    const members = await api(origin(), 'GET', `/organizations/${org.id}/members`, {
      token: host.token,
    });
    const memberId = members.body.find((m: any) => m.user.id === guest.id).id;
    const removed = await api(origin(), 'DELETE', `/organizations/${org.id}/members/${memberId}`, {
      token: host.token,
    });
    expect(removed.status).toBe(204);
    for (const [token, userId] of [
      [host.token, guest.id],
      [guest.token, host.id],
    ] as const) {
      const response = await api(origin(), 'GET', `/users/${userId}`, { token });
      expect(response.status).toBe(404);
      expect(response.body).toEqual(USER_NOT_FOUND);
    }
  });

  it('never reads "me" as an id; a malformed id is a 400', async () => {
    const meResponse = await api(origin(), 'GET', '/users/me', { token: caller.token });
    expect(meResponse.status).toBe(200);
    expect(meResponse.body).toEqual({
      id: caller.id,
      email: caller.email,
      name: null,
      isPlatformAdmin: false,
      // Oldest membership first: the caller made C before joining A.
      organizations: [
        { id: orgs.c.id, name: orgs.c.name, slug: orgs.c.slug, role: 'owner' },
        { id: orgs.a.id, name: orgs.a.name, slug: orgs.a.slug, role: 'member' },
      ],
    });
    const mine = await api(origin(), 'GET', '/users/me/organizations', { token: caller.token });
    expect(mine.status).toBe(200);
    expect(mine.body.map((org: Org & { role: string }) => [org.id, org.role])).toEqual([
      [orgs.c.id, 'owner'],
      [orgs.a.id, 'member'],
    ]);

    for (const path of ['/users/not-a-uuid', '/users/not-a-uuid/organizations']) {
      const response = await api(origin(), 'GET', path, { token: caller.token });
      expect([path, response.status]).toEqual([path, 400]);
      expect(response.body.code).toBe('BAD_REQUEST');
      expect(response.body.issues).toContainEqual(expect.objectContaining({ path: ['userId'] }));
    }
  });

  it('reads a UUID in upper case as the same id, for one’s own account too', async () => {
    // Someone who shares no organization still reads their own id; the API takes an
    // upper-case UUID as the same id (a co-member is found by it), so this must be the same.
    const loner = await signUp(origin());
    for (const userId of [loner.id, loner.id.toUpperCase()]) {
      const response = await api(origin(), 'GET', `/users/${userId}`, { token: loner.token });
      expect([userId, response.status, response.body]).toEqual([
        userId,
        200,
        { id: loner.id, email: loner.email, name: null },
      ]);
    }
    const coMember = await api(origin(), 'GET', `/users/${xavier.id.toUpperCase()}`, {
      token: caller.token,
    });
    expect(coMember.status).toBe(200);
    expect(coMember.body.id).toBe(xavier.id);
  });

  it('needs a caller', async () => {
    const response = await api(origin(), 'GET', `/users/${xavier.id}`);
    expect(response.status).toBe(401);
  });
});

describe('GET /api/users/{userId}/organizations', () => {
  it('lists the organizations the person shares with the caller, with their role there', async () => {
    const response = await api(origin(), 'GET', `/users/${xavier.id}/organizations`, {
      token: caller.token,
    });
    expect(response.status).toBe(200);
    // Not B, which the caller is not in.
    expect(response.body).toEqual([membership(orgs.a, 'owner'), membership(orgs.c, 'admin')]);

    // Xavier asking about himself sees all of his own.
    const own = await api(origin(), 'GET', `/users/${xavier.id}/organizations`, {
      token: xavier.token,
    });
    expect(own.body).toEqual([
      membership(orgs.a, 'owner'),
      membership(orgs.b, 'member'),
      membership(orgs.c, 'admin'),
    ]);
  });

  it('answers 404 for a person who shares nothing, exactly as for no one', async () => {
    for (const userId of [xavier.id, NOBODY]) {
      const response = await api(origin(), 'GET', `/users/${userId}/organizations`, {
        token: outsider.token,
      });
      expect(response.status).toBe(404);
      expect(response.body).toEqual(USER_NOT_FOUND);
    }
  });

  it('with an app token holding read:organization: only the app’s own organization', async () => {
    const fromC = await appToken(orgs.c, caller.token, ['read:organization']);
    const inC = await api(origin(), 'GET', `/users/${xavier.id}/organizations`, { token: fromC });
    expect(inC.status).toBe(200);
    expect(inC.body).toEqual([membership(orgs.c, 'admin')]);

    const fromB = await appToken(orgs.b, owner.token, ['read:organization']);
    const inB = await api(origin(), 'GET', `/users/${xavier.id}/organizations`, { token: fromB });
    expect(inB.body).toEqual([membership(orgs.b, 'member')]);

    const fromD = await appToken(orgs.d, outsider.token, ['read:organization']);
    const inD = await api(origin(), 'GET', `/users/${xavier.id}/organizations`, { token: fromD });
    expect(inD.status).toBe(404);
    expect(inD.body).toEqual(USER_NOT_FOUND);
  });

  it('with an app token holding admin:all: every organization of the person', async () => {
    const root = await signUp(origin());
    await platformAdminCommand(server(), root.email);
    const home = await createOrganization(origin(), root.token, 'Platform');
    const everywhere = await appToken(home, root.token, ['admin:all']);
    const response = await api(origin(), 'GET', `/users/${xavier.id}/organizations`, {
      token: everywhere,
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      membership(orgs.a, 'owner'),
      membership(orgs.b, 'member'),
      membership(orgs.c, 'admin'),
    ]);
  });
});

describe('the same over tRPC', () => {
  it('users.byId, users.organizationsOf, users.myOrganizations, users.me', async () => {
    const client = clientOf(origin(), caller.token);
    expect(await client.users.byId.query({ userId: xavier.id })).toEqual({
      id: xavier.id,
      email: xavier.email,
      name: 'Xavier',
    });
    expect(await client.users.organizationsOf.query({ userId: xavier.id })).toEqual([
      membership(orgs.a, 'owner'),
      membership(orgs.c, 'admin'),
    ]);
    expect(
      (await clientOf(origin(), xavier.token).users.myOrganizations.query()).map((o) => o.id),
    ).toEqual([orgs.a.id, orgs.b.id, orgs.c.id]);
    expect((await client.users.me.query()).id).toBe(caller.id);
  });

  it('refuses the same with the same codes', async () => {
    const client = clientOf(origin(), outsider.token);
    await expect(client.users.byId.query({ userId: xavier.id })).rejects.toMatchObject({
      message: USER_NOT_FOUND.message,
      data: { code: 'NOT_FOUND', httpStatus: 404 },
    });
    await expect(client.users.organizationsOf.query({ userId: NOBODY })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND', httpStatus: 404 },
    });
    await expect(client.users.byId.query({ userId: 'not-a-uuid' })).rejects.toMatchObject({
      data: { code: 'BAD_REQUEST', httpStatus: 400 },
    });
  });

  it('an app token reads a member of its organization, and not its own account', async () => {
    const token = await appToken(orgs.c, caller.token, ['read:user']);
    const client = clientOf(origin(), token);
    expect(await client.users.byId.query({ userId: xavier.id })).toEqual({
      id: xavier.id,
      email: xavier.email,
      name: 'Xavier',
    });
    await expect(client.users.byId.query({ userId: owner.id })).rejects.toMatchObject({
      data: { code: 'NOT_FOUND', httpStatus: 404 },
    });
    await expect(client.users.myOrganizations.query()).rejects.toMatchObject({
      message:
        "This concerns a person's own account: an app's access token acts for its organization, not for a person",
      data: { code: 'FORBIDDEN', httpStatus: 403 },
    });
  });
});
