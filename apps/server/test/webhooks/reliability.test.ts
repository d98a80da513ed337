import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  api,
  buildServer,
  type ServerProcess,
  signUp,
  startPeerProcess,
  type Tenant,
  tenant,
  useTestServer,
} from '../harness/index.js';

/**
 * Deliveries survive what processes go through: a SIGKILL in the middle of a burst, and two
 * processes taking jobs from one queue. The server under test is the built one, as its own
 * process, on the database of the in-test server (which runs no workers itself).
 */
const WEBHOOKS = { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' };
const a = useTestServer({ env: WEBHOOKS });
const processes: ServerProcess[] = [];
const workerProcess = async () => {
  const started = await startPeerProcess(a(), { ...WEBHOOKS, WORKERS: 'on', RATE_LIMITS: 'off' });
  processes.push(started);
  return started;
};

/** A receiver on loopback that counts deliveries by event id, answering 200 after `delayMs`. */
async function receiver(delayMs = 0) {
  const arrivals = new Map<string, string[]>(); // event id -> the Webhook-Id of each arrival
  const http: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const { id } = JSON.parse(body) as { id: string };
      arrivals.set(id, [...(arrivals.get(id) ?? []), String(request.headers['webhook-id'])]);
      setTimeout(() => response.writeHead(200).end('ok'), delayMs);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
  return { url, arrivals, close: () => new Promise((resolve) => http.close(resolve)) };
}
type Receiver = Awaited<ReturnType<typeof receiver>>;
const receivers: Receiver[] = [];

let acme: Tenant;
beforeAll(async () => {
  buildServer();
  acme = await tenant(a().url);
}, 120_000);

afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL')));
  await Promise.all(receivers.map((r) => r.close()));
});

async function subscribe(events: string[], delayMs = 0) {
  const target = await receiver(delayMs);
  receivers.push(target);
  const created = await api(a().url, 'POST', `/organizations/${acme.organizationId}/webhooks`, {
    token: acme.owner.token,
    body: { url: target.url, events },
  });
  expect(created.status).toBe(201);
  return target;
}

/** The ids of the organization's committed events of `type`. */
const committed = async (type: string) =>
  (
    await a().sql<{ id: string }>(
      'select id from events where organization_id = $1 and type = $2',
      [acme.organizationId, type],
    )
  ).map((row) => row.id);

async function until(done: () => boolean | Promise<boolean>, withinMs: number) {
  const deadline = Date.now() + withinMs;
  while (!(await done())) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

describe('webhook deliveries', () => {
  it('lose no event when the server is killed mid-burst, and all arrive within a minute of a restart', async () => {
    const target = await subscribe(['organization.updated'], 1000);
    const killed = await workerProcess();
    const rename = (n: number) =>
      api(killed.url, 'PUT', `/organizations/${acme.organizationId}`, {
        token: acme.owner.token,
        body: { name: `Burst ${n}` },
      }).catch(() => ({ status: 0 }));

    // A burst of changes, 10 at a time; the process dies (SIGKILL) half way, jobs in hand.
    const answers: Promise<{ status: number }>[] = [];
    for (let n = 0; n < 120; n++) {
      answers.push(rename(n));
      if (n === 60) {
        await until(() => target.arrivals.size > 5, 20_000);
        killed.child.kill('SIGKILL');
      }
      if (n % 10 === 9) await Promise.all(answers.slice(-10));
    }
    const statuses = (await Promise.all(answers)).map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(40);
    const events = await committed('organization.updated');
    const missing = () => events.filter((id) => !target.arrivals.has(id));
    expect(missing().length).toBeGreaterThan(0); // the kill left some undelivered

    const restarted = Date.now();
    await workerProcess();
    expect(await until(() => missing().length === 0, 60_000)).toBe(true);
    console.log(`all ${events.length} delivered ${Date.now() - restarted} ms after the restart`);
    // At least once: a repeat carries the same Webhook-Id; nothing arrives that did not commit.
    for (const [id, webhookIds] of target.arrivals) {
      expect(events).toContain(id);
      expect(new Set(webhookIds).size).toBe(1);
    }
  }, 150_000);

  it('with two processes, deliver each event once to each webhook', async () => {
    await workerProcess(); // beside the restarted one above: two processes take jobs
    const [first, second] = [
      await subscribe(['member.role_updated']),
      await subscribe(['member.role_updated']),
    ];
    // Role changes need a member: one joins, then their role goes back and forth.
    const person = await signUp(a().url);
    await addMember(a().url, acme.owner.token, acme.organizationId, person, 'member');
    const members = await api(a().url, 'GET', `/organizations/${acme.organizationId}/members`, {
      token: acme.owner.token,
    });
    const memberId = members.body.find((m: { user: { id: string } }) => m.user.id === person.id).id;
    for (let n = 0; n < 40; n++) {
      const role = n % 2 === 0 ? 'admin' : 'member';
      await api(a().url, 'PUT', `/organizations/${acme.organizationId}/members/${memberId}/role`, {
        token: acme.owner.token,
        body: { role },
      });
    }
    const events = await committed('member.role_updated');
    expect(events).toHaveLength(40);
    const all = () => [first, second].every((r) => events.every((id) => r.arrivals.has(id)));
    expect(await until(all, 30_000)).toBe(true);
    for (const target of [first, second]) {
      expect([...target.arrivals.values()].every((ids) => ids.length === 1)).toBe(true);
    }
    // Two processes were taking jobs all along.
    const byProcess = await a().sql<{ n: string }>(
      'select count(distinct worker_id) as n from worker_heartbeats',
    );
    expect(Number(byProcess[0]!.n)).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
