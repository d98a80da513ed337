import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  buildServer,
  type ServerProcess,
  startPeerProcess,
  startTestServer,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';
import { missing } from '../harness/needs.js';

/**
 * Keys across two processes of one deployment: A (in the test) and B (the built server, a
 * process of its own). Nothing of a key is cached, and its counters are shared (PostgreSQL, or
 * Redis with REDIS_URL), so what one process changes or counts, the other sees at once. Both
 * run with RATE_LIMITS=off: a key's own limits hold regardless.
 */
const a = useTestServer();
let b: ServerProcess;
let org: Tenant;

beforeAll(async () => {
  buildServer();
  b = await startPeerProcess(a(), { RATE_LIMITS: 'off' });
  org = await tenant(a().url);
}, 240_000);

afterAll(async () => {
  await b?.stop();
});

async function newKey(body: Record<string, unknown> = {}) {
  const response = await api(a().url, 'POST', `/organizations/${org.organizationId}/api-keys`, {
    token: org.owner.token,
    body: { name: 'Shared', scopes: ['read:organization'], ...body },
  });
  if (response.status !== 201) throw new Error(JSON.stringify(response.body));
  return { key: response.body.key as string, id: response.body.id as string };
}

const read = (origin: string, key: string) =>
  api(origin, 'GET', `/organizations/${org.organizationId}`, { headers: { 'x-api-key': key } });

describe('API keys on two processes', () => {
  it('a revocation on A holds on B at once, after B has used the key', async () => {
    const { key, id } = await newKey();
    expect((await read(b.url, key)).status).toBe(200);
    expect((await read(b.url, key)).status).toBe(200);
    const revoked = await api(
      a().url,
      'DELETE',
      `/organizations/${org.organizationId}/api-keys/${id}`,
      {
        token: org.owner.token,
      },
    );
    expect(revoked.status).toBe(204);
    expect((await read(b.url, key)).status).toBe(401);
    expect((await read(a().url, key)).status).toBe(401);
  });

  it('a change of scopes on A holds on B at once', async () => {
    const { key, id } = await newKey();
    expect((await read(b.url, key)).status).toBe(200);
    await api(a().url, 'PATCH', `/organizations/${org.organizationId}/api-keys/${id}`, {
      token: org.owner.token,
      body: { scopes: ['read:members'] },
    });
    expect((await read(b.url, key)).status).toBe(403);
  });

  it('the per-key limit counts the requests of both, in PostgreSQL', async () => {
    const { key, id } = await newKey({ rateLimitPerMinute: 4 });
    for (const origin of [a().url, b.url, a().url, b.url]) {
      expect((await read(origin, key)).status).toBe(200);
    }
    const limited = await read(b.url, key);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('ratelimit-limit')).toBe('4');
    expect((await read(a().url, key)).status).toBe(429);
    // The counter is a row both processes wrote; what it is keyed by says nothing of the key.
    const counters = await a().sql<{ key: string; count: number }>(
      "select key, count from rate_limit_counters where key like 'key-minute:%' and count >= 4",
    );
    expect(counters.length).toBeGreaterThan(0);
    expect(JSON.stringify(counters)).not.toContain(id);
  });

  it('the per-key limit counts the requests of both in Redis when REDIS_URL is set', async (context) => {
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    if (!(await reachable(redisUrl))) missing(`no Redis at ${redisUrl}`, context.skip);
    const env = { RATE_LIMITS: 'off', REDIS_URL: redisUrl };
    const first = await startTestServer({ peerOf: a(), env });
    const second = await startPeerProcess(a(), env);
    try {
      const { key } = await newKey({ rateLimitPerMinute: 3 });
      for (const origin of [first.url, second.url, first.url]) {
        expect((await read(origin, key)).status).toBe(200);
      }
      expect((await read(second.url, key)).status).toBe(429);
      expect((await read(first.url, key)).status).toBe(429);
      // Not in PostgreSQL: A, without Redis, has its own counter and lets the key through.
      expect((await read(a().url, key)).status).toBe(200);
    } finally {
      await Promise.all([first.close(), second.stop()]);
    }
  });
});

function reachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}
