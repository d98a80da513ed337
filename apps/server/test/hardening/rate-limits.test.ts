import { createConnection } from 'node:net';
import { counterKey } from '@timbrix/api';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  api,
  type Client,
  type RawResponse,
  requestFrom,
  signUp,
  startTestServer,
  tenant,
  useTestServer,
} from '../harness/index.js';

const LIMITS = {
  RATE_LIMITS: 'on',
  RATE_LIMIT_GRANTS_PER_CLIENT: '3',
  RATE_LIMIT_AUTH_FAILURES_PER_CLIENT_IP: '3',
  RATE_LIMIT_AUTH_FAILURES_PER_IP: '8',
  RATE_LIMIT_LOGIN_FAILURES_PER_ACCOUNT_IP: '3',
  RATE_LIMIT_LOGIN_FAILURES_PER_IP: '8',
  RATE_LIMIT_APP_CREATES_PER_ORGANIZATION: '3',
  // This suite signs up every tenant from one address; these limits have tests of their own.
  RATE_LIMIT_SIGNUPS_PER_IP_PER_HOUR: '10000',
  RATE_LIMIT_ORGANIZATIONS_PER_USER_PER_HOUR: '10000',
};
const server = useTestServer({ env: LIMITS });

/** A token request from `ip`, authenticating as `client` with client_secret_basic. */
function grantFrom(
  ip: string,
  client: Client,
  origin = server().url,
  headers: Record<string, string> = {},
) {
  return requestFrom(ip, `${origin}/api/oauth2/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      ...headers,
    },
    body: 'grant_type=client_credentials',
  });
}

function loginFrom(ip: string, email: string, password: string, origin = server().url) {
  return requestFrom(ip, `${origin}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

function expectLimited(response: RawResponse, limit: number) {
  expect(response.status).toBe(429);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
  expect(response.headers['ratelimit-limit']).toBe(String(limit));
  expect(response.headers['ratelimit-remaining']).toBe('0');
  expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThan(0);
}

const wrong = (client: Client): Client => ({ ...client, clientSecret: 'cs_guess' });

describe('token endpoint limits', () => {
  it('allows a client its documented number of grants, then 429 with the headers', async () => {
    const app = await (await tenant(server().url)).createApp();
    for (let i = 0; i < 3; i++) {
      const granted = await grantFrom('127.0.0.1', app);
      expect(granted.status).toBe(200);
      expect(granted.headers['ratelimit-remaining']).toBe(String(2 - i));
    }
    const limited = await grantFrom('127.0.0.1', app);
    expectLimited(limited, 3);
    expect(limited.body).toMatchObject({ error: 'too_many_requests' });
    // The documented JSON form draws on the same allowance.
    const json = await api(server().url, 'POST', '/oauth/token', { body: app });
    expect(json.status).toBe(429);
    expect(json.body).toMatchObject({ statusCode: 429, error: 'too_many_requests' });
  });

  it('stops guessing at one client from one address without locking the client out elsewhere', async () => {
    const app = await (await tenant(server().url)).createApp();
    for (let i = 0; i < 3; i++) expect((await grantFrom('127.0.0.2', wrong(app))).status).toBe(401);
    // Even the right secret waits now, from that address...
    expectLimited(await grantFrom('127.0.0.2', app), 3);
    // ...but the real client, elsewhere, is unaffected.
    expect((await grantFrom('127.0.0.3', app)).status).toBe(200);
  });

  it('records going past the limit in the app’s organization once; an unknown client in the log only', async () => {
    const acme = await tenant(server().url);
    const app = await acme.createApp();
    for (let i = 0; i < 5; i++) await grantFrom('127.0.0.40', wrong(app));
    const events = await server().sql(
      "select * from events where type = 'client_authentication.failures_exceeded' and organization_id = $1",
      [acme.organizationId],
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actor_type: null,
      target_type: 'oauth_app',
      target_id: app.clientId,
      ip: '127.0.0.40',
      data: { failures: 3 },
    });
    const made = { clientId: 'made-up-client-id-0001', clientSecret: 'cs_guess' };
    for (let i = 0; i < 4; i++) await grantFrom('127.0.0.5', made);
    expect(server().logs()).toContain('"clientId":"made-up-client-id-0001"');
    const stray = await server().sql('select 1 from events where target_id = $1', [made.clientId]);
    expect(stray).toHaveLength(0);
  });

  it('never holds up a client whose secret it knows, whatever is guessed from its address', async () => {
    const app = await (await tenant(server().url)).createApp();
    expect((await grantFrom('127.0.0.10', app)).status).toBe(200);
    for (let i = 0; i < 3; i++)
      expect((await grantFrom('127.0.0.10', wrong(app))).status).toBe(401);
    expectLimited(await grantFrom('127.0.0.10', wrong(app)), 3);
    expect((await grantFrom('127.0.0.10', app)).status).toBe(200);
  });

  it('limits failures per address across clients, well above the per-client limit', async () => {
    const orgs = await Promise.all([
      tenant(server().url),
      tenant(server().url),
      tenant(server().url),
    ]);
    const apps = await Promise.all(orgs.map((org) => org.createApp()));
    let failures = 0;
    for (const app of apps) {
      for (let i = 0; i < 3 && failures < 8; i++, failures++) {
        expect((await grantFrom('127.0.0.4', wrong(app))).status).toBe(401);
      }
    }
    const fresh = await orgs[0]!.createApp();
    expectLimited(await grantFrom('127.0.0.4', fresh), 8);
    expect((await grantFrom('127.0.0.5', fresh)).status).toBe(200);
  });

  it('counts failed introspection and revocation callers too', async () => {
    const app = await (await tenant(server().url)).createApp();
    const introspect = () =>
      requestFrom('127.0.0.6', `${server().url}/api/oauth2/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=x&client_id=${app.clientId}&client_secret=cs_guess`,
      });
    for (let i = 0; i < 3; i++) expect((await introspect()).status).toBe(401);
    expect((await introspect()).status).toBe(429);
  });

  it('keeps health answering while a brute force is refused', async () => {
    const app = await (await tenant(server().url)).createApp();
    const flood = await Promise.all(
      Array.from({ length: 40 }, () => grantFrom('127.0.0.7', wrong(app))),
    );
    expect(flood.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(flood.every((r) => r.status === 401 || r.status === 429)).toBe(true);
    const health = await requestFrom('127.0.0.7', `${server().url}/api/health`);
    expect(health.status).toBe(200);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY says so', async () => {
    const app = await (await tenant(server().url)).createApp();
    for (let i = 0; i < 3; i++) {
      await grantFrom('127.0.0.8', wrong(app), server().url, { 'x-forwarded-for': `10.0.0.${i}` });
    }
    const spoofed = await grantFrom('127.0.0.8', app, server().url, {
      'x-forwarded-for': '10.9.9.9',
    });
    expect(spoofed.status).toBe(429);
  });
});

describe('behind a trusted proxy', () => {
  // Finding: TRUST_PROXY=true believes the leftmost X-Forwarded-For entry, which the client
  // writes itself: every request could claim a fresh address and never be limited.
  it('refuses TRUST_PROXY=true at start, saying what to set instead', async () => {
    await expect(
      startTestServer({ peerOf: server(), env: { ...LIMITS, TRUST_PROXY: 'true' } }),
    ).rejects.toThrow(/TRUST_PROXY: true would trust an address the client chooses.*proxies/);
  });

  it('counts per forwarded address', async () => {
    const proxied = await startTestServer({
      peerOf: server(),
      env: { ...LIMITS, TRUST_PROXY: 'loopback' },
    });
    try {
      const app = await (await tenant(proxied.url)).createApp();
      const via = (forwardedFor: string, client: Client) =>
        grantFrom('127.0.0.9', client, proxied.url, { 'x-forwarded-for': forwardedFor });
      for (let i = 0; i < 3; i++) expect((await via('203.0.113.7', wrong(app))).status).toBe(401);
      expect((await via('203.0.113.7', app)).status).toBe(429);
      expect((await via('203.0.113.8', app)).status).toBe(200);
    } finally {
      await proxied.close();
    }
  });
});

describe('sign-in limits', () => {
  it('limits failures per account and address; the account still signs in from elsewhere', async () => {
    const user = await signUp(server().url);
    for (let i = 0; i < 3; i++) {
      expect((await loginFrom('127.0.1.1', user.email, 'wrong-password')).status).toBe(401);
    }
    const limited = await loginFrom('127.0.1.1', user.email, user.password);
    expectLimited(limited, 3);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect((await loginFrom('127.0.1.2', user.email, user.password)).status).toBe(200);
  });

  it('limits failures per address across accounts, unknown ones included', async () => {
    for (let i = 0; i < 8; i++) {
      expect((await loginFrom('127.0.1.3', `nobody-${i}@example.com`, 'x')).status).toBe(401);
    }
    const user = await signUp(server().url);
    expectLimited(await loginFrom('127.0.1.3', user.email, user.password), 8);
  });
});

describe('app creation limit', () => {
  it('limits creates per organization, on both transports, and not other organizations', async () => {
    const org = await tenant(server().url);
    for (let i = 0; i < 3; i++) await org.createApp();
    const rest = await api(server().url, 'POST', '/oauth/apps', {
      token: org.owner.token,
      body: { name: 'One too many', scopes: ['read:user'] },
    });
    expect(rest.status).toBe(429);
    expect(rest.headers.get('retry-after')).toBeTruthy();
    const trpc = await fetch(`${server().url}/trpc/oauthApps.create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.owner.token}` },
      body: JSON.stringify({ name: 'One too many', scopes: ['read:user'] }),
    });
    expect(trpc.status).toBe(429);
    expect(((await trpc.json()) as any).error.data.code).toBe('TOO_MANY_REQUESTS');

    const other = await tenant(server().url);
    expect((await other.createApp()).clientId).toMatch(/^app_/);
  });
});

describe('counters shared by processes', () => {
  it('hold across two processes on one database', async () => {
    const second = await startTestServer({ peerOf: server(), env: LIMITS });
    try {
      const app = await (await tenant(server().url)).createApp();
      expect((await grantFrom('127.0.2.1', wrong(app))).status).toBe(401);
      expect((await grantFrom('127.0.2.1', wrong(app), second.url)).status).toBe(401);
      expect((await grantFrom('127.0.2.1', wrong(app))).status).toBe(401);
      expect((await grantFrom('127.0.2.1', app, second.url)).status).toBe(429);
    } finally {
      await second.close();
    }
  });

  it('hold across two processes on Redis when REDIS_URL is set', async (context) => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    if (!(await reachable(redisUrl))) {
      const reason = `no Redis at ${redisUrl}`;
      // CI has one: there, a missing Redis is a failure, not a reason to skip.
      if (process.env.CI === 'true') throw new Error(`${reason}, and CI=true`);
      console.warn(`skipped: ${reason}`);
      context.skip(reason);
    }
    const env = { ...LIMITS, REDIS_URL: redisUrl };
    const first = await startTestServer({ peerOf: server(), env });
    const second = await startTestServer({ peerOf: server(), env });
    const redis = new Redis(redisUrl);
    try {
      const app = await (await tenant(first.url)).createApp();
      for (const origin of [first.url, second.url, first.url]) {
        expect((await grantFrom('127.0.2.2', wrong(app), origin)).status).toBe(401);
      }
      expect((await grantFrom('127.0.2.2', app, second.url)).status).toBe(429);

      // The counter is in Redis, where both processes counted...
      const { rules } = first.server.services.limits;
      const key = counterKey(rules.authFailuresPerClientIp, app.clientId, '127.0.2.2');
      expect(await redis.get(`timbrix:rl:${key}`)).toBe('4');
      expect(await redis.pttl(`timbrix:rl:${key}`)).toBeGreaterThan(0);
      // ...and not in PostgreSQL.
      expect(
        await server().sql('select key from rate_limit_counters where key = $1', [key]),
      ).toEqual([]);
    } finally {
      redis.disconnect();
      await Promise.all([first.close(), second.close()]);
    }
  });
});

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(500);
    socket.on('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
