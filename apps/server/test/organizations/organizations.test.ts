import { describe, expect, it } from 'vitest';
import { api, signUp, uniqueSlug, useTestServer } from '../harness/index.js';

const server = useTestServer();
const origin = () => server().url;

describe('POST /api/organizations', () => {
  it('answers 201 and makes the creator the owner', async () => {
    const user = await signUp(origin());
    const slug = uniqueSlug();
    const response = await api(origin(), 'POST', '/organizations', {
      token: user.token,
      body: { name: 'Acme Corp', slug, logo: 'https://cdn.example.com/logo.png' },
    });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      name: 'Acme Corp',
      slug,
      logo: 'https://cdn.example.com/logo.png',
      ownerId: user.id,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const members = await server().sql(
      'select user_id, role from memberships where organization_id = $1',
      [response.body.id],
    );
    expect(members).toEqual([{ user_id: user.id, role: 'owner' }]);
  });

  it('answers 401 without a session', async () => {
    const response = await api(origin(), 'POST', '/organizations', {
      body: { name: 'Acme', slug: uniqueSlug() },
    });
    expect(response.status).toBe(401);
  });

  it('answers 409 when the slug is taken, and racing creates give one success', async () => {
    const user = await signUp(origin());
    const slug = uniqueSlug();
    const responses = await Promise.all(
      Array.from({ length: 6 }, () =>
        api(origin(), 'POST', '/organizations', {
          token: user.token,
          body: { name: 'Race', slug },
        }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(responses.find((r) => r.status === 409)?.body.message).toMatch(/slug/);
    expect(await server().sql('select id from organizations where slug = $1', [slug])).toHaveLength(
      1,
    );
  });

  it.each([
    ['a short name', { name: 'ab', slug: uniqueSlug() }, 'name'],
    ['a long name', { name: 'n'.repeat(101), slug: uniqueSlug() }, 'name'],
    ['an uppercase slug', { name: 'Acme', slug: 'Acme-Corp' }, 'slug'],
    ['a slug with spaces', { name: 'Acme', slug: 'acme corp' }, 'slug'],
    ['a short slug', { name: 'Acme', slug: 'ab' }, 'slug'],
    ['a long slug', { name: 'Acme', slug: 'a'.repeat(51) }, 'slug'],
    ['an http logo', { name: 'Acme', slug: uniqueSlug(), logo: 'http://x.example/l.png' }, 'logo'],
    ['a logo that is not a URL', { name: 'Acme', slug: uniqueSlug(), logo: 'logo.png' }, 'logo'],
  ])('answers 400 for %s', async (_, body, field) => {
    const user = await signUp(origin());
    const response = await api(origin(), 'POST', '/organizations', { token: user.token, body });
    expect(response.status).toBe(400);
    expect(response.body.issues[0].path).toEqual([field]);
  });
});
