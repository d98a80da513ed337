import { spawnSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startServerProcess, tenant } from '../harness/index.js';

function postgresRunningIn(dataDir: string): boolean {
  const { stdout } = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  return stdout.split('\n').some((line) => line.includes('postgres') && line.includes(dataDir));
}

/** One request over `agent`'s kept-alive connections; resolves to the status. */
function send(agent: Agent, url: string, method: string, token?: string, body?: unknown) {
  return new Promise<number>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        agent,
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body ? JSON.stringify(body) : undefined);
  });
}

describe('SIGTERM under load', () => {
  // A process of its own, a database of its own and 30 argon2 hashes: on a busy machine, it
  // takes longer than most tests. What it measures (10 s from the signal) is measured inside.
  it('finishes the requests in flight, stops the database it started, and exits 0 within 10 s', {
    timeout: 120_000,
  }, async () => {
    const server = await startServerProcess({ RATE_LIMITS: 'off' });
    const org = await tenant(server.url);
    expect(postgresRunningIn(server.dataDir)).toBe(true);

    // Thirty connections, opened and kept alive before the signal.
    const agent = new Agent({ keepAlive: true, maxSockets: 30 });
    await Promise.all(
      Array.from({ length: 30 }, () => send(agent, `${server.url}/api/health`, 'GET')),
    );

    // Each create hashes a secret with argon2: they are mid-flight when the signal comes.
    const creates = Array.from({ length: 30 }, (_, i) =>
      send(agent, `${server.url}/api/oauth/apps`, 'POST', org.owner.token, {
        name: `In flight ${i}`,
        scopes: ['read:user'],
      }),
    );
    await sleep(40);
    const signalled = performance.now();
    expect(server.child.kill('SIGTERM')).toBe(true);

    const statuses = await Promise.all(creates);
    const code = await server.stop();
    const elapsed = performance.now() - signalled;
    agent.destroy();

    expect(statuses).toEqual(Array(30).fill(201));
    expect(code).toBe(0);
    expect(elapsed).toBeLessThan(10_000);
    expect(server.output()).toContain('"signal":"SIGTERM"');
    expect(postgresRunningIn(server.dataDir)).toBe(false);
    // Nothing listens any more.
    await expect(fetch(`${server.url}/api/health`)).rejects.toThrow();
  });
});
