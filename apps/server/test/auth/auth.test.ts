import { SESSION_TOKEN_TYPE } from '@timbrix/api';
import { describe, expect, it } from 'vitest';
import { api, signUp, uniqueEmail, useTestServer } from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;
const register = (body: unknown) => api(origin(), 'POST', '/auth/register', { body });
const login = (body: unknown) => api(origin(), 'POST', '/auth/login', { body });

describe('POST /api/auth/register', () => {
  it('answers 201 with the account, lower-casing the email and storing only an argon2id hash', async () => {
    const email = uniqueEmail('Mixed.Case').replace('mixed', 'MiXeD');
    const response = await register({ email, password: 'correct horse', name: 'Ada' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email: email.toLowerCase(),
      name: 'Ada',
      createdAt: expect.any(String),
    });
    const [row] = await server().sql<{ password_hash: string }>(
      'select password_hash from users where id = $1',
      [response.body.id],
    );
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    expect(await server().dump()).not.toContain('correct horse');
    expect(server().logs()).not.toContain('correct horse');
  });

  it('answers 409 for an email that is taken, compared case-insensitively', async () => {
    const email = uniqueEmail();
    expect((await register({ email, password: 'password-1' })).status).toBe(201);
    const again = await register({ email: email.toUpperCase(), password: 'password-2' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ statusCode: 409, error: 'Conflict' });
    const rows = await server().sql('select id from users where email = $1', [email]);
    expect(rows).toHaveLength(1);
  });

  it('gives racing registrations of one email exactly one success', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(
      Array.from({ length: 8 }, () => register({ email, password: 'password-1' })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
  });

  it.each([
    ['a short password', { email: uniqueEmail(), password: 'short' }, 'password'],
    ['a password over 128', { email: uniqueEmail(), password: 'x'.repeat(129) }, 'password'],
    ['a bad email', { email: 'not-an-email', password: 'password-1' }, 'email'],
    ['no email', { password: 'password-1' }, 'email'],
    [
      'a name over 100',
      { email: uniqueEmail(), password: 'password-1', name: 'n'.repeat(101) },
      'name',
    ],
  ])('answers 400 for %s', async (_, body, field) => {
    const response = await register(body);
    expect(response.status).toBe(400);
    expect(response.body.issues[0].path).toEqual([field]);
  });
});

describe('POST /api/auth/login', () => {
  it('issues a Bearer session token', async () => {
    const email = uniqueEmail();
    await register({ email, password: 'password-1' });
    const response = await login({ email: email.toUpperCase(), password: 'password-1' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 3600,
    });
    const header = JSON.parse(
      Buffer.from(response.body.accessToken.split('.')[0], 'base64url').toString(),
    );
    expect(header).toMatchObject({
      alg: 'ES256',
      typ: SESSION_TOKEN_TYPE,
      kid: expect.any(String),
    });
  });

  it('answers an unknown email and a wrong password with the same 401', async () => {
    const email = uniqueEmail();
    await register({ email, password: 'password-1' });
    const wrongPassword = await login({ email, password: 'password-2' });
    const unknownEmail = await login({ email: uniqueEmail(), password: 'password-1' });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(unknownEmail.body).toEqual(wrongPassword.body);
    expect(wrongPassword.body.message).toBe('Invalid email or password');
  });
});

describe('GET /api/users/me', () => {
  it('answers 401 without a token', async () => {
    expect((await api(origin(), 'GET', '/users/me')).status).toBe(401);
  });

  it('lists the organizations and roles of the caller', async () => {
    const user = await signUp(origin());
    const created = await api(origin(), 'POST', '/organizations', {
      token: user.token,
      body: { name: 'Mine', slug: `mine-${user.id.slice(0, 8)}` },
    });
    const response = await api(origin(), 'GET', '/users/me', { token: user.token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: user.id,
      email: user.email,
      name: null,
      isPlatformAdmin: false,
      organizations: [
        { id: created.body.id, name: 'Mine', slug: created.body.slug, role: 'owner' },
      ],
    });
  });
});
