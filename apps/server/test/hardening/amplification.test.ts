import { describe, expect, it } from 'vitest';
import {
  api,
  grant,
  requestFrom,
  signUp,
  startTestServer,
  tenant,
  uniqueEmail,
  uniqueSlug,
  useTestServer,
} from '../harness/index.js';

/**
 * Findings: one unauthenticated request carried 500 sign-ups (500 argon2 hashes, seconds of
 * both cores); batches of 1,500 calls drained the database pool for every tenant; a streamed
 * batch answered 500 after spending the organization's creation budget; new organizations
 * sidestepped the per-organization app limit. Each request now carries bounded work.
 */
const server = useTestServer({
  env: {
    RATE_LIMITS: 'on',
    RATE_LIMIT_ORGANIZATIONS_PER_USER_PER_HOUR: '2',
    RATE_LIMIT_APP_CREATES_PER_ORGANIZATION: '2',
    // The helpers sign everyone up from 127.0.0.1; sign-ups have a server of their own below.
    RATE_LIMIT_SIGNUPS_PER_IP_PER_HOUR: '10000',
  },
});
const origin = () => server().url;
const work = () => ({ ...server().server.services.hasher.work });

const registration = () => ({ email: uniqueEmail(), password: 'password-123' });

function registerFrom(origin: string, ip: string, body: unknown) {
  return requestFrom(ip, `${origin}/api/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** One tRPC request carrying `calls` calls of `path`, each with `input()`. */
function batch(path: string, calls: number, input: () => unknown, headers = {}) {
  const body = Object.fromEntries(Array.from({ length: calls }, (_, i) => [i, input()]));
  return fetch(`${origin()}/trpc/${Array(calls).fill(path).join(',')}?batch=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

async function userCount() {
  return (await server().sql('select id from users')).length;
}

describe('sign-ups per address', () => {
  it('counts every attempt before hashing, refuses past the limit, and spares other addresses', async () => {
    const limited = await startTestServer({
      peerOf: server(),
      env: { RATE_LIMITS: 'on', RATE_LIMIT_SIGNUPS_PER_IP_PER_HOUR: '3' },
    });
    try {
      const register = (ip: string, body: unknown) => registerFrom(limited.url, ip, body);
      const taken = await signUp(origin());
      // A taken address costs a hash too, so it counts like a success.
      const conflict = await register('127.0.3.1', { email: taken.email, password: 'password-1' });
      expect(conflict.status).toBe(409);
      expect((await register('127.0.3.1', registration())).status).toBe(201);
      expect((await register('127.0.3.1', registration())).status).toBe(201);

      const hashes = limited.server.services.hasher.work.hashes;
      const refused = await register('127.0.3.1', registration());
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
      expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
      expect(limited.server.services.hasher.work.hashes).toBe(hashes);

      expect((await register('127.0.3.2', registration())).status).toBe(201);
    } finally {
      await limited.close();
    }
  });
});

describe('tRPC batches', () => {
  it('refuses more calls than the cap in one request before any work', async () => {
    const users = await userCount();
    const before = work();
    const response = await batch('auth.register', 11, registration);
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.error.data).toEqual({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(body.error.message).toMatch(/at most 10 calls.*11.*maxItems/);
    expect(work()).toEqual(before);
    expect(await userCount()).toBe(users);
  });

  it('refuses an oversized batch of queries too, and takes a batch at the cap', async () => {
    const { token } = await signUp(origin());
    const headers = { authorization: `Bearer ${token}` };
    const url = (calls: number) =>
      `${origin()}/trpc/${Array(calls).fill('users.me').join(',')}?batch=1&input={}`;
    expect((await fetch(url(1500), { headers })).status).toBe(400);
    const atCap = await fetch(url(10), { headers });
    expect(atCap.status).toBe(200);
    expect((await atCap.json()) as unknown[]).toHaveLength(10);
  });

  it.each([
    ['trpc-accept', { 'trpc-accept': 'application/jsonl' }],
    ['accept', { accept: 'application/json, application/jsonl' }],
  ])('refuses a streamed batch (%s) before any work, budget untouched', async (_, streamed) => {
    const org = await tenant(origin());
    const headers = { authorization: `Bearer ${org.owner.token}`, ...streamed };
    const app = () => ({ name: 'Streamed', scopes: ['read:user'] });
    for (let i = 0; i < 3; i++) {
      const response = await batch('oauthApps.create', 1, app, headers);
      expect(response.status).toBe(400);
      expect(((await response.json()) as any).error.message).toMatch(/httpBatchLink/);
    }
    expect(await server().sql('select id from oauth_apps where name = $1', ['Streamed'])).toEqual(
      [],
    );
    // Three refused streams later, the organization's two creates are all still there.
    await org.createApp();
    await org.createApp();
  });
});

describe('organizations per person', () => {
  it('limits how many organizations one account creates, not how many others do', async () => {
    const person = await signUp(origin());
    const create = (token: string) =>
      api(origin(), 'POST', '/organizations', {
        token,
        body: { name: 'Yet another', slug: uniqueSlug() },
      });
    expect((await create(person.token)).status).toBe(201);
    expect((await create(person.token)).status).toBe(201);
    const refused = await create(person.token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect((await create((await signUp(origin())).token)).status).toBe(201);
  });
});

describe('argon2 work waiting', () => {
  it('answers 503 with Retry-After past the bound instead of queueing without end', async () => {
    const busy = await startTestServer({
      peerOf: server(),
      env: { ARGON2_MAX_WAITING: '2', CLIENT_SECRET_CACHE: 'off' },
    });
    try {
      const user = await signUp(busy.url);
      const app = await (await tenant(busy.url)).createApp();
      const logins = Array.from({ length: 30 }, () =>
        api(busy.url, 'POST', '/auth/login', {
          body: { email: user.email, password: user.password },
        }),
      );
      const grants = Array.from({ length: 10 }, () => grant(busy.url, app));
      const [loginAnswers, grantAnswers] = await Promise.all([
        Promise.all(logins),
        Promise.all(grants),
      ]);

      const refused = loginAnswers.filter((r) => r.status === 503);
      expect(refused.length).toBeGreaterThan(0);
      expect(loginAnswers.every((r) => r.status === 200 || r.status === 503)).toBe(true);
      expect(refused[0]!.headers.get('retry-after')).toBe('1');
      expect(refused[0]!.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable' });
      const busyGrant = grantAnswers.find((r) => r.status === 503);
      if (busyGrant) {
        expect(busyGrant.body).toMatchObject({ error: 'temporarily_unavailable' });
        expect(busyGrant.headers.get('retry-after')).toBe('1');
      }
      expect(grantAnswers.every((r) => r.status === 200 || r.status === 503)).toBe(true);

      // Nothing is left stuck: once the burst is over, sign-in works.
      const after = await api(busy.url, 'POST', '/auth/login', {
        body: { email: user.email, password: user.password },
      });
      expect(after.status).toBe(200);
    } finally {
      await busy.close();
    }
  });
});
