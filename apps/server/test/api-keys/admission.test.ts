import { createServer } from 'node:net';
import { counterKey } from '@timbrix/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalAllowedIp,
  isAllowedClient,
} from '../../../../packages/api/src/features/api-keys/addresses.js';
import {
  api,
  requestFrom,
  startTestServer,
  type Tenant,
  type TestServer,
  tenant,
} from '../harness/index.js';
import { missing } from '../harness/needs.js';

/**
 * Whether a request may use a key: the addresses it allows and its own limits. The server
 * listens on both stacks (`HOST=::`), so IPv4 clients arrive as IPv4-mapped IPv6 addresses,
 * as they do in most deployments. Its own limits are off (the harness's RATE_LIMITS=off): a
 * key's limits are its owner's and hold regardless.
 */
let server: TestServer;
let org: Tenant;
beforeAll(async () => {
  server = await startTestServer({ env: { HOST: '::' } });
  org = await tenant(server.url);
});
afterAll(() => server?.close());

async function newKey(body: Record<string, unknown>) {
  const response = await api(server.url, 'POST', `/organizations/${org.organizationId}/api-keys`, {
    token: org.owner.token,
    body: { name: 'Script', scopes: ['read:organization'], ...body },
  });
  if (response.status !== 201) throw new Error(JSON.stringify(response.body));
  return response.body.key as string;
}

/** Reads the organization with `key`, from `from` (a loopback address), to `base`. */
const readFrom = (
  from: string,
  key: string,
  headers: Record<string, string> = {},
  base = server.url,
) =>
  requestFrom(from, `${base}/api/organizations/${org.organizationId}`, {
    headers: { 'x-api-key': key, ...headers },
  });
const ipv6Base = () => server.url.replace('127.0.0.1', '[::1]');

describe('allowedIps', () => {
  it('lets an IPv4 range in and keeps the rest out with a 403 that names no address', async () => {
    const key = await newKey({ allowedIps: ['127.0.3.0/24', '192.0.2.1'] });
    expect((await readFrom('127.0.3.77', key)).status).toBe(200);
    const refused = await readFrom('127.0.4.1', key);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe('This API key may not be used from this address');
    expect(JSON.stringify(refused.body)).not.toContain('127.0.3');
  });

  it('matches IPv6 clients against IPv6 ranges, and IPv4-mapped ranges against IPv4 clients', async (context) => {
    if (!(await ipv6Loopback())) missing('no IPv6 loopback (::1) on this machine', context.skip);
    const v6 = await newKey({ allowedIps: ['::1/128'] });
    expect((await readFrom('::1', v6, {}, ipv6Base())).status).toBe(200);
    expect((await readFrom('127.0.0.1', v6)).status).toBe(403);
    // Given as IPv4-mapped, kept as IPv4: it matches an IPv4 client however it arrives.
    const mapped = await newKey({ allowedIps: ['::ffff:127.0.5.0/120'] });
    expect((await readFrom('127.0.5.9', mapped)).status).toBe(200);
    expect((await readFrom('::1', mapped, {}, ipv6Base())).status).toBe(403);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY names the proxy', async () => {
    const key = await newKey({ allowedIps: ['198.51.100.0/24'] });
    const forwarded = { 'x-forwarded-for': '198.51.100.7' };
    expect((await readFrom('127.0.0.1', key, forwarded)).status).toBe(403);
    const proxied = await startTestServer({ peerOf: server, env: { TRUST_PROXY: 'loopback' } });
    try {
      expect((await readFrom('127.0.0.1', key, forwarded, proxied.url)).status).toBe(200);
      expect((await readFrom('127.0.0.1', key, {}, proxied.url)).status).toBe(403);
    } finally {
      await proxied.close();
    }
  });
});

describe('a key’s own limits', () => {
  it('answer 429 past the per-minute limit, with Retry-After and RateLimit headers', async () => {
    const key = await newKey({ rateLimitPerMinute: 3 });
    for (let i = 0; i < 3; i++) expect((await readFrom('127.0.6.1', key)).status).toBe(200);
    const limited = await readFrom('127.0.6.2', key);
    expect(limited.status).toBe(429);
    expect(limited.body.message).toMatch(/^Too many requests; retry in \d+ seconds$/);
    expect(limited.headers).toMatchObject({
      'ratelimit-limit': '3',
      'ratelimit-remaining': '0',
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(Number(limited.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
  });

  it('answer 429 past the per-hour limit, counted per key, not per address', async () => {
    const key = await newKey({ rateLimitPerHour: 2, rateLimitPerMinute: 100 });
    const other = await newKey({ rateLimitPerHour: 2 });
    expect((await readFrom('127.0.7.1', key)).status).toBe(200);
    expect((await readFrom('127.0.7.2', key)).status).toBe(200);
    const limited = await readFrom('127.0.7.3', key);
    expect(limited.status).toBe(429);
    expect(limited.headers['ratelimit-limit']).toBe('2');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(60);
    expect((await readFrom('127.0.7.1', other)).status).toBe(200);
  });

  it('count nothing for a refused request, and name the limit that lifts last', async () => {
    const response = await api(
      server.url,
      'POST',
      `/organizations/${org.organizationId}/api-keys`,
      {
        token: org.owner.token,
        body: {
          name: 'Both',
          scopes: ['read:organization'],
          rateLimitPerMinute: 1,
          rateLimitPerHour: 100,
        },
      },
    );
    const { key, id } = response.body;
    expect((await readFrom('127.0.13.1', key)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await readFrom('127.0.13.1', key)).status).toBe(429);
    // The minute's refusals took nothing of the hour.
    const rule = { name: 'key-hour', max: 100, windowMs: 3_600_000 };
    const [hour] = await server.sql('select count from rate_limit_counters where key = $1', [
      counterKey(rule, id),
    ]);
    expect(hour).toEqual({ count: 1 });

    const both = await newKey({ rateLimitPerMinute: 1, rateLimitPerHour: 1 });
    expect((await readFrom('127.0.13.2', both)).status).toBe(200);
    const limited = await readFrom('127.0.13.2', both);
    expect(limited.status).toBe(429);
    // Past both, a retry passes only when the hour's window ends.
    expect(limited.headers['ratelimit-limit']).toBe('1');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(60);
  });

  it('count nothing for a request from an address the key does not allow', async () => {
    const key = await newKey({ rateLimitPerMinute: 2, allowedIps: ['127.0.8.0/24'] });
    for (let i = 0; i < 5; i++) expect((await readFrom('127.0.9.1', key)).status).toBe(403);
    expect((await readFrom('127.0.8.1', key)).status).toBe(200);
    expect((await readFrom('127.0.8.1', key)).status).toBe(200);
    expect((await readFrom('127.0.8.1', key)).status).toBe(429);
  });

  it('take effect at once when changed', async () => {
    const response = await api(
      server.url,
      'POST',
      `/organizations/${org.organizationId}/api-keys`,
      {
        token: org.owner.token,
        body: { name: 'Changed', scopes: ['read:organization'] },
      },
    );
    const { key, id } = response.body;
    for (let i = 0; i < 3; i++) expect((await readFrom('127.0.10.1', key)).status).toBe(200);
    await api(server.url, 'PATCH', `/organizations/${org.organizationId}/api-keys/${id}`, {
      token: org.owner.token,
      body: { rateLimitPerMinute: 1, allowedIps: ['127.0.10.0/24'] },
    });
    expect((await readFrom('127.0.10.1', key)).status).toBe(200);
    expect((await readFrom('127.0.10.1', key)).status).toBe(429);
    expect((await readFrom('127.0.11.1', key)).status).toBe(403);
  });
});

describe('validation failures', () => {
  it('count against the address, as client authentications do; a live key does not', async () => {
    const limited = await startTestServer({
      peerOf: server,
      env: { RATE_LIMITS: 'on', RATE_LIMIT_AUTH_FAILURES_PER_IP: '3' },
    });
    const validate = (from: string, key: string) =>
      requestFrom(from, `${limited.url}/api/api-keys/validate`, {
        method: 'POST',
        headers: { 'x-api-key': key },
      });
    try {
      const key = await newKey({});
      for (let i = 0; i < 5; i++) expect((await validate('127.0.12.1', key)).body.valid).toBe(true);
      for (let i = 0; i < 3; i++) {
        expect((await validate('127.0.12.1', 'sk_guess')).body).toEqual({ valid: false });
      }
      // Over the limit, the address gets 429 whatever it sends: a guess can't tell right from wrong.
      expect((await validate('127.0.12.1', 'sk_guess')).status).toBe(429);
      expect((await validate('127.0.12.1', key)).status).toBe(429);
      expect((await validate('127.0.12.2', key)).body.valid).toBe(true);
    } finally {
      await limited.close();
    }
  });
});

describe('address matching', () => {
  const CASES: [string, string[], boolean][] = [
    ['10.1.2.3', ['10.0.0.0/8'], true],
    ['11.1.2.3', ['10.0.0.0/8'], false],
    ['10.1.2.3', ['10.1.2.3'], true],
    ['10.1.2.4', ['10.1.2.3'], false],
    ['10.1.2.3', ['0.0.0.0/0'], true],
    ['::ffff:10.1.2.3', ['10.0.0.0/8'], true],
    ['10.1.2.3', ['::ffff:10.0.0.0/104'], true],
    ['::ffff:10.1.2.3', ['::ffff:10.1.2.3'], true],
    ['2001:db8::5', ['2001:db8::/32'], true],
    ['2001:db9::5', ['2001:db8::/32'], false],
    ['2001:db8::5', ['10.0.0.0/8'], false],
    ['10.1.2.3', ['2001:db8::/32'], false],
    ['::1', ['::1'], true],
    ['::1', ['::/0'], true],
    ['::2', ['::1/128'], false],
    ['fe80::1', ['fe80::/10'], true],
    ['192.0.2.1', [], true],
    ['not an address', ['0.0.0.0/0', '::/0'], false],
  ];
  it.each(CASES)('%s within %j: %s', (client, allowed, expected) => {
    expect(isAllowedClient(client, allowed.map(canonicalAllowedIp))).toBe(expected);
  });

  it('keeps ranges in one canonical form', () => {
    expect(
      ['10.0.0.7/8', '::ffff:1.2.3.4', '2001:DB8:0:0::1', '1.2.3.4/32', '2001:db8::1/32'].map(
        canonicalAllowedIp,
      ),
    ).toEqual(['10.0.0.0/8', '1.2.3.4', '2001:db8::1', '1.2.3.4', '2001:db8::/32']);
  });
});

function ipv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}
