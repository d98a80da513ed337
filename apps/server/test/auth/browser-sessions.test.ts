import type { AppRouter } from '@timbrix/api';
import { createTRPCClient, httpLink } from '@trpc/client';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type SignedUpUser,
  signUp,
  startTestServer,
  uniqueSlug,
  useTestServer,
} from '../harness/index.js';

/**
 * The console's session cookie, over real HTTP: set by `auth.signIn`, counted on /trpc only,
 * and never enough for a state-changing request from another origin.
 */
const server = useTestServer();
let person: SignedUpUser;
let origin: string;

beforeAll(async () => {
  person = await signUp(server().url);
  origin = new URL(server().server.services.config.issuerUrl).origin;
});

interface Call {
  cookie?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One tRPC call over plain HTTP, as a browser page would make it (or a forger). */
async function trpc(method: 'GET' | 'POST', procedure: string, call: Call = {}) {
  const headers: Record<string, string> = { ...call.headers };
  if (call.cookie) headers.cookie = call.cookie;
  const response = await fetch(`${server().url}/trpc/${procedure}`, {
    method,
    headers,
    body: call.body,
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as any,
  };
}

/** What a page of this origin sends with a mutation. */
const fromConsole = (body: unknown) => ({
  headers: { 'content-type': 'application/json', origin, 'sec-fetch-site': 'same-origin' },
  body: JSON.stringify(body),
});

async function signIn(who = person) {
  const answer = await trpc('POST', 'auth.signIn', fromConsole(who));
  expect(answer.status).toBe(200);
  const setCookie = answer.headers.get('set-cookie') ?? '';
  return { answer, setCookie, cookie: setCookie.split(';')[0]! };
}

const me = (cookie: string) => trpc('GET', 'users.me', { cookie });
const organizationsOf = async (token: string) =>
  (await api(server().url, 'GET', '/users/me/organizations', { token })).body as unknown[];

describe('signing in from the console', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie and never shows the token', async () => {
    const { answer, setCookie, cookie } = await signIn();
    expect(setCookie).toMatch(
      /^timbrix_session=[\w.-]+; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    expect(answer.body.result.data).toEqual({ userId: person.id, expiresIn: 3600 });
    expect(JSON.stringify(answer.body)).not.toContain(cookie.split('=')[1]);
    expect((await me(cookie)).body.result.data).toMatchObject({ id: person.id });
  });

  it('over https, binds the cookie to the origin: __Host- prefix and Secure', async () => {
    const https = await startTestServer({
      peerOf: server(),
      env: { ISSUER_URL: 'https://console.example.com' },
    });
    try {
      const response = await fetch(`${https.url}/trpc/auth.signIn`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'https://console.example.com' },
        body: JSON.stringify({ email: person.email, password: person.password }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('set-cookie')).toMatch(
        /^__Host-timbrix_session=[\w.-]+; Max-Age=3600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      );
    } finally {
      await https.close();
    }
  });

  it('cannot be done from another site (login CSRF): no cookie is set', async () => {
    const attempts: Record<string, string>[] = [
      { 'content-type': 'application/json', origin: 'https://evil.example' },
      { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' },
      { 'content-type': 'text/plain', origin },
    ];
    // tRPC decodes the path: a name spelled in percent-escapes is the same procedure.
    for (const [procedure, headers] of [
      ...attempts.map((headers) => ['auth.signIn', headers] as const),
      ['auth%2EsignIn', attempts[0]!] as const,
      ['auth.sign%49n', attempts[1]!] as const,
    ]) {
      const answer = await trpc('POST', procedure, {
        headers,
        body: JSON.stringify({ email: person.email, password: person.password }),
      });
      expect([403, 415], JSON.stringify(headers)).toContain(answer.status);
      expect(answer.headers.get('set-cookie')).toBeNull();
    }
  });

  it('ends the browser’s earlier session when it signs in again', async () => {
    const first = await signIn();
    const again = await trpc('POST', 'auth.signIn', {
      ...fromConsole(person),
      cookie: first.cookie,
    });
    expect(again.status).toBe(200);
    expect((await me(first.cookie)).status).toBe(401);
    const second = (again.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await me(second)).status).toBe(200);
  });

  it('sets no cookie for a wrong password', async () => {
    const answer = await trpc('POST', 'auth.signIn', fromConsole({ ...person, password: 'nope' }));
    expect(answer.status).toBe(401);
    expect(answer.headers.get('set-cookie')).toBeNull();
  });
});

describe('the cookie', () => {
  it('counts on /trpc only: the REST API stays bearer-only', async () => {
    const { cookie } = await signIn();
    expect((await me(cookie)).status).toBe(200);
    const rest = await fetch(`${server().url}/api/users/me`, { headers: { cookie } });
    expect(rest.status).toBe(401);
  });

  it('gives way to a bearer token', async () => {
    const other = await signUp(server().url);
    const { cookie } = await signIn();
    const answer = await trpc('GET', 'users.me', {
      cookie,
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(answer.body.result.data.id).toBe(other.id);
  });

  it('changes state only for requests from the console’s own origin', async () => {
    const { cookie } = await signIn();
    const create = (headers: Record<string, string>) =>
      trpc('POST', 'organizations.create', {
        cookie,
        headers,
        body: JSON.stringify({ name: 'Forged', slug: uniqueSlug() }),
      });
    const json = { 'content-type': 'application/json' };
    for (const headers of [
      { ...json, origin: 'https://evil.example' },
      { ...json, 'sec-fetch-site': 'cross-site', origin },
      { ...json, 'sec-fetch-site': 'same-site' },
      json, // says nothing of where it comes from
    ]) {
      const answer = await create(headers);
      expect(answer.status, JSON.stringify(headers)).toBe(403);
      expect(answer.body.error.message).toBe(
        "A request signed in by the console's cookie must come from the console's own origin",
      );
    }
    // A form can post text/plain cross-site without a preflight: never enough.
    const form = await create({ 'content-type': 'text/plain', origin });
    expect(form.status).toBe(415);
    expect(await organizationsOf(person.token)).toEqual([]);

    const ok = await create({ ...json, origin, 'sec-fetch-site': 'same-origin' });
    expect(ok.status).toBe(200);
    expect(await organizationsOf(person.token)).toHaveLength(1);
  });
});

describe('signing out', () => {
  it('ends the cookie’s session at once and clears the cookie', async () => {
    const { cookie } = await signIn();
    const out = await trpc('POST', 'auth.logout', {
      cookie,
      headers: { 'content-type': 'application/json', origin },
    });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^timbrix_session=; Max-Age=0; Path=\/;/);
    expect((await me(cookie)).status).toBe(401);
    // The person's other sessions carry on.
    expect((await api(server().url, 'GET', '/users/me', { token: person.token })).status).toBe(200);
  });

  it('works for a client that sends one call per request, with no body for no input', async () => {
    const someone = await signUp(server().url);
    const client = createTRPCClient<AppRouter>({
      links: [
        httpLink({
          url: `${server().url}/trpc`,
          headers: { authorization: `Bearer ${someone.token}` },
        }),
      ],
    });
    await expect(client.auth.logout.mutate()).resolves.toBeUndefined();
    expect((await api(server().url, 'GET', '/users/me', { token: someone.token })).status).toBe(
      401,
    );
  });

  it('everywhere, from a bearer session, ends the cookie’s session too', async () => {
    const someone = await signUp(server().url);
    const { cookie } = await signIn(someone);
    expect((await me(cookie)).status).toBe(200);
    const out = await api(server().url, 'POST', '/auth/logout-all', { token: someone.token });
    expect(out.status).toBe(204);
    expect((await me(cookie)).status).toBe(401);
  });
});
