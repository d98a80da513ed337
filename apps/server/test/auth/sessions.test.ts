import { describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  api,
  clientOf,
  createOrganization,
  type SignedUpUser,
  signUp,
  useTestServer,
} from '../harness/index.js';

/**
 * Sessions are rows on the server: signing out ends one at once, signing out everywhere ends
 * all of a person's, and a password change ends all but the one that made it.
 */
const server = useTestServer();
const origin = () => server().url;

const me = (token: string) => api(origin(), 'GET', '/users/me', { token });

const login = (email: string, password: string) =>
  api(origin(), 'POST', '/auth/login', { body: { email, password } });

/** Another session of `person`, from a second sign-in. */
async function anotherSession(person: SignedUpUser): Promise<string> {
  const response = await login(person.email, person.password);
  expect(response.status).toBe(200);
  return response.body.accessToken;
}

async function sessionRows(userId: string) {
  const rows = await server().sql<{ n: number }>(
    'select count(*)::int as n from sessions where user_id = $1',
    [userId],
  );
  return rows[0]!.n;
}

function expectEnded(response: ApiResponse) {
  expect(response.status).toBe(401);
  expect(response.body.code).toBe('UNAUTHORIZED');
  expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

describe('POST /api/auth/logout', () => {
  it('ends that session at once, and not the person’s others', async () => {
    const person = await signUp(origin());
    const other = await anotherSession(person);
    expect((await me(person.token)).status).toBe(200);
    expect(await sessionRows(person.id)).toBe(2);

    const response = await api(origin(), 'POST', '/auth/logout', { token: person.token });
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();

    expectEnded(await me(person.token));
    expectEnded(await api(origin(), 'POST', '/auth/logout', { token: person.token }));
    const still = await me(other);
    expect(still.status).toBe(200);
    expect(still.body.id).toBe(person.id);
    expect(await sessionRows(person.id)).toBe(1);
  });

  it('works over tRPC too', async () => {
    const person = await signUp(origin());
    const other = await anotherSession(person);
    await expect(clientOf(origin(), person.token).auth.logout.mutate()).resolves.toBeUndefined();
    expectEnded(await me(person.token));
    await expect(clientOf(origin(), person.token).users.me.query()).rejects.toMatchObject({
      data: { code: 'UNAUTHORIZED', httpStatus: 401 },
    });
    expect((await me(other)).status).toBe(200);
  });

  it('needs a session', async () => {
    const response = await api(origin(), 'POST', '/auth/logout');
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).not.toContain('error=');
  });
});

describe('POST /api/auth/logout-all', () => {
  it('ends every session of the person, this one too, and no one else’s', async () => {
    const person = await signUp(origin());
    const second = await anotherSession(person);
    const third = await anotherSession(person);
    const bystander = await signUp(origin());

    const response = await api(origin(), 'POST', '/auth/logout-all', { token: second });
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();

    for (const token of [person.token, second, third]) expectEnded(await me(token));
    expect(await sessionRows(person.id)).toBe(0);
    expect((await me(bystander.token)).status).toBe(200);

    // Signing in again works as before.
    expect((await me(await anotherSession(person))).status).toBe(200);
  });

  it('works over tRPC too', async () => {
    const person = await signUp(origin());
    const other = await anotherSession(person);
    await expect(clientOf(origin(), other).auth.logoutAll.mutate()).resolves.toBeUndefined();
    expectEnded(await me(person.token));
    expectEnded(await me(other));
  });
});

describe('PATCH /api/users/me: the password', () => {
  it('changes it, keeps this session and ends every other', async () => {
    const person = await signUp(origin());
    const other = await anotherSession(person);
    const newPassword = 'a-brand-new-password';

    const response = await api(origin(), 'PATCH', '/users/me', {
      token: person.token,
      body: { currentPassword: person.password, newPassword },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: person.id,
      email: person.email,
      name: null,
      isPlatformAdmin: false,
      organizations: [],
    });

    expect((await me(person.token)).status).toBe(200);
    expectEnded(await me(other));
    expect(await sessionRows(person.id)).toBe(1);

    const withNew = await login(person.email, newPassword);
    expect(withNew.status).toBe(200);
    expect((await me(withNew.body.accessToken)).status).toBe(200);
    const withOld = await login(person.email, person.password);
    expect(withOld.status).toBe(401);
    expect(withOld.body.message).toBe('Invalid email or password');
  });

  it('refuses a wrong currentPassword with 400, and changes nothing', async () => {
    const person = await signUp(origin());
    const other = await anotherSession(person);
    const response = await api(origin(), 'PATCH', '/users/me', {
      token: person.token,
      body: { currentPassword: 'not-the-password', newPassword: 'would-be-new-password' },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      code: 'BAD_REQUEST',
      message: "currentPassword is not this account's password",
    });
    expect((await me(other)).status).toBe(200);
    expect((await login(person.email, person.password)).status).toBe(200);
    expect((await login(person.email, 'would-be-new-password')).status).toBe(401);
  });

  it('refuses one of the two fields without the other with 400, and changes nothing', async () => {
    const person = await signUp(origin());
    const other = await anotherSession(person);
    for (const body of [
      { newPassword: 'lonely-new-password' },
      { currentPassword: person.password },
      { name: 'Ada', newPassword: 'lonely-new-password' },
    ]) {
      const response = await api(origin(), 'PATCH', '/users/me', { token: person.token, body });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe('BAD_REQUEST');
      expect(response.body.issues).toContainEqual(
        expect.objectContaining({
          path: ['currentPassword'],
          message: 'send currentPassword and newPassword together to change the password',
        }),
      );
    }
    expect((await me(other)).body.name).toBeNull();
    expect((await login(person.email, person.password)).status).toBe(200);
    expect((await login(person.email, 'lonely-new-password')).status).toBe(401);
  });

  it('refuses a new password that is too short, and changes nothing', async () => {
    const person = await signUp(origin());
    const response = await api(origin(), 'PATCH', '/users/me', {
      token: person.token,
      body: { currentPassword: person.password, newPassword: 'short' },
    });
    expect(response.status).toBe(400);
    expect(response.body.issues).toContainEqual(
      expect.objectContaining({
        path: ['newPassword'],
        message: 'password must be at least 8 characters',
      }),
    );
    expect((await login(person.email, person.password)).status).toBe(200);
  });

  it('changes the name and the password in one call', async () => {
    const person = await signUp(origin());
    const response = await api(origin(), 'PATCH', '/users/me', {
      token: person.token,
      body: { name: 'Grace', currentPassword: person.password, newPassword: 'both-at-once-pw' },
    });
    expect(response.status).toBe(200);
    expect(response.body.name).toBe('Grace');
    expect((await login(person.email, 'both-at-once-pw')).status).toBe(200);
  });
});

describe('PATCH /api/users/me: the name', () => {
  it('renames, trims, and clears with null or ""; answers the /users/me shape', async () => {
    const person = await signUp(origin());
    const organization = await createOrganization(origin(), person.token, 'Named Org');
    const expected = (name: string | null) => ({
      id: person.id,
      email: person.email,
      name,
      isPlatformAdmin: false,
      organizations: [
        { id: organization.id, name: 'Named Org', slug: organization.slug, role: 'owner' },
      ],
    });
    const rename = (name: string | null) =>
      api(origin(), 'PATCH', '/users/me', { token: person.token, body: { name } });

    for (const [sent, kept] of [
      ['Ada Lovelace', 'Ada Lovelace'],
      ['  Ada  ', 'Ada'],
      [null, null],
      ['Ada', 'Ada'],
      ['', null],
    ] as const) {
      const response = await rename(sent);
      expect([sent, response.status]).toEqual([sent, 200]);
      expect(response.body).toEqual(expected(kept));
      expect((await me(person.token)).body).toEqual(expected(kept));
    }

    // An empty body changes nothing.
    await rename('Kept');
    const empty = await api(origin(), 'PATCH', '/users/me', { token: person.token, body: {} });
    expect(empty.status).toBe(200);
    expect(empty.body.name).toBe('Kept');
  });

  it('works over tRPC too, and leaves the sessions alone', async () => {
    const person = await signUp(origin());
    const other = await anotherSession(person);
    const updated = await clientOf(origin(), person.token).users.updateMe.mutate({ name: 'Lin' });
    expect(updated).toEqual({
      id: person.id,
      email: person.email,
      name: 'Lin',
      isPlatformAdmin: false,
      organizations: [],
    });
    expect((await me(other)).body.name).toBe('Lin');
  });

  it('refuses a name over 100 characters', async () => {
    const person = await signUp(origin());
    const response = await api(origin(), 'PATCH', '/users/me', {
      token: person.token,
      body: { name: 'x'.repeat(101) },
    });
    expect(response.status).toBe(400);
    expect((await me(person.token)).body.name).toBeNull();
  });
});
