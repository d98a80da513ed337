import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Config, createLogger } from '@timbrix/api';
import { verifyWebhook } from '@timbrix/client';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type DeliveryWorker,
  startWorker,
} from '../../../../packages/api/src/features/webhooks/delivery/index.js';
import {
  newWebhookSecret,
  sealWebhookSecret,
  signingKeyOf,
} from '../../../../packages/api/src/features/webhooks/secrets.js';
import { useTestServer } from '../harness/index.js';

/**
 * The delivery worker on its own (no routes): rows written with SQL, the trigger queues, the
 * worker sends to real receivers on loopback.
 */
const server = useTestServer({ env: { WORKERS: 'off' } });
const kek = () => Buffer.from(server().database.keyEncryptionKey, 'base64');

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}
interface Receiver {
  url: string;
  received: Received[];
  server: Server;
}

const receivers: Receiver[] = [];
/** A receiver on loopback; `answer` gets each request's index (0-based) and answers it. */
async function receiver(
  answer: (index: number, response: ServerResponse) => void = (_, response) =>
    response.writeHead(200).end('ok'),
): Promise<Receiver> {
  const received: Received[] = [];
  const http = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const index = received.length;
      received.push({
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
        at: performance.now(),
      });
      answer(index, response);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const created = { url: `http://127.0.0.1:${port}/hooks`, received, server: http };
  receivers.push(created);
  return created;
}
afterAll(async () => {
  for (const { server: http } of receivers) {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  }
});

const logLines: string[] = [];
let worker: DeliveryWorker | undefined;
type Settings = Partial<Config['webhooks']> & { concurrency?: number };
async function runWorker(settings: Settings = {}) {
  const { concurrency, ...webhooks } = settings;
  const base = server().server.services.config;
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  worker = await startWorker({
    connectionString: server().database.url,
    config: {
      webhooks: { ...base.webhooks, allowPrivateNetworks: true, ...webhooks },
      workers: { ...base.workers, concurrency: concurrency ?? 4 },
    },
    keyEncryptionKey: kek(),
    logger: createLogger('info', sink),
  });
}
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

async function organization(): Promise<string> {
  const userId = randomUUID();
  const id = randomUUID();
  const tag = randomBytes(5).toString('hex');
  await server().sql(`insert into users (id, email, password_hash) values ($1, $2, 'x')`, [
    userId,
    `hooks-${tag}@example.com`,
  ]);
  await server().sql(
    `insert into organizations (id, name, slug, owner_id) values ($1, 'Hooks', $2, $3)`,
    [id, `hooks-${tag}`, userId],
  );
  return id;
}

async function webhook(
  organizationId: string,
  url: string,
  options: { events?: string[]; previousSecret?: string; previousExpiresIn?: string } = {},
) {
  const id = randomUUID();
  const secret = newWebhookSecret();
  await server().sql(
    `insert into webhooks (id, organization_id, url, events, secret, previous_secret,
       previous_secret_expires_at)
     values ($1, $2, $3, $4, $5, $6, now() + $7::interval)`,
    [
      id,
      organizationId,
      url,
      options.events ?? ['member.added'],
      sealWebhookSecret(kek(), secret, id),
      options.previousSecret ? sealWebhookSecret(kek(), options.previousSecret, id) : null,
      options.previousExpiresIn ?? '1 hour',
    ],
  );
  return { id, secret };
}

const EVENT_INSERT = `insert into events (id, type, organization_id, target_type, target_id, data)
  values ($1, $2, $3, 'member', $4, '{"role":"member"}')`;
async function emit(organizationId: string, type = 'member.added'): Promise<string> {
  const id = randomUUID();
  await server().sql(EVENT_INSERT, [id, type, organizationId, randomUUID()]);
  return id;
}

async function until<T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await sleep(25);
  }
}

const deliveryOf = async (webhookId: string) =>
  (
    await server().sql<Record<string, any>>(
      'select * from webhook_deliveries where webhook_id = $1 order by created_at',
      [webhookId],
    )
  )[0];
const settled = (webhookId: string) =>
  until(async () => {
    const delivery = await deliveryOf(webhookId);
    return delivery?.status !== 'pending' && delivery;
  });

describe('the delivery worker', () => {
  it('POSTs the body with signatures that the reference verifier and verifyWebhook accept', async () => {
    const org = await organization();
    const target = await receiver();
    const hook = await webhook(org, target.url);
    await runWorker();
    const eventId = await emit(org);

    const delivery = await settled(hook.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, status_code: 200 });
    expect(delivery.response_body).toBe('ok');
    expect(target.received).toHaveLength(1);
    const [{ headers, body }] = target.received as [Received];
    expect(body).toBe(delivery.body);
    expect(headers['webhook-id']).toBe(delivery.id);
    expect(headers['content-type']).toBe('application/json');
    const stringHeaders = headers as Record<string, string>;
    expect(new Webhook(hook.secret).verify(body, stringHeaders)).toMatchObject({ id: eventId });
    const payload = verifyWebhook(hook.secret, headers, body);
    expect(payload).toMatchObject({ id: eventId, type: 'member.added', organizationId: org });
    expect(payload.data).toMatchObject({ actor: null, role: 'member' });
    const legacy = createHmac('sha256', signingKeyOf(hook.secret)).update(body).digest('hex');
    expect(headers['x-webhook-signature']).toBe(`sha256=${legacy}`);
    const logs = logLines.join('');
    expect(logs).toContain(delivery.id);
    expect(logs).not.toContain(hook.secret.slice(6, 20));
    expect(logs).not.toContain(body);
  });

  it('retries a failing receiver at 1 s then 5 s, with the same Webhook-Id, until it answers', async () => {
    const org = await organization();
    const target = await receiver((index, response) =>
      response.writeHead(index < 2 ? 500 : 200).end(index < 2 ? 'down' : 'ok'),
    );
    const hook = await webhook(org, target.url);
    await runWorker();
    await emit(org);

    const delivery = await until(async () => {
      const row = await deliveryOf(hook.id);
      return row?.status === 'succeeded' && row;
    }, 15_000);
    expect(delivery).toMatchObject({ attempts: 3, status_code: 200 });
    const [first, second, third] = target.received as [Received, Received, Received];
    expect(target.received).toHaveLength(3);
    const gaps = [second.at - first.at, third.at - second.at].map((ms) => ms / 1000);
    // Not the queue's 2 s poll: the worker is woken when the retry is due.
    expect(gaps[0]).toBeGreaterThanOrEqual(0.9);
    expect(gaps[0]).toBeLessThanOrEqual(1.8);
    expect(gaps[1]).toBeGreaterThanOrEqual(4.9);
    expect(gaps[1]).toBeLessThanOrEqual(5.8);
    const ids = new Set(target.received.map(({ headers }) => headers['webhook-id']));
    expect([...ids]).toEqual([delivery.id]);
    for (const { headers, body } of target.received) {
      expect(verifyWebhook(hook.secret, headers, body).type).toBe('member.added');
    }
    const [state] = await server().sql('select failing_since from webhooks where id = $1', [
      hook.id,
    ]);
    expect(state?.failing_since).toBeNull();
  }, 30_000);

  it('spends one timeout on a hanging receiver and goes on delivering meanwhile', async () => {
    const hangingOrg = await organization();
    const hanging = await receiver(() => {}); // never answers
    const stuck = await webhook(hangingOrg, hanging.url);
    const org = await organization();
    const target = await receiver();
    const fine = await webhook(org, target.url);
    await runWorker({ timeoutMs: 1500, retryDelaysMs: [] });

    await emit(hangingOrg);
    await until(async () => hanging.received.length === 1);
    const started = performance.now();
    for (let i = 0; i < 3; i++) await emit(org);
    await until(async () => target.received.length === 3);
    expect(performance.now() - started).toBeLessThan(1400);
    expect((await deliveryOf(stuck.id))?.status).toBe('pending');

    const failed = await settled(stuck.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1, status_code: null });
    expect(failed.response_body).toBe('timed out after 1.5 s');
    expect(failed.duration_ms).toBeGreaterThanOrEqual(1450);
    expect(failed.duration_ms).toBeLessThan(3000);
    expect((await deliveryOf(fine.id))?.status).toBe('succeeded');
  });

  it('queues nothing for an event whose transaction rolls back', async () => {
    const org = await organization();
    const target = await receiver();
    const hook = await webhook(org, target.url);
    const jobs = async () =>
      Number((await server().sql('select count(*) as n from graphile_worker.jobs'))[0]?.n);
    const before = await jobs();
    const client = new pg.Client({ connectionString: server().database.url });
    await client.connect();
    const eventId = randomUUID();
    try {
      await client.query('begin');
      await client.query(EVENT_INSERT, [eventId, 'member.added', org, randomUUID()]);
      expect(
        await client.query('select id from webhook_deliveries where event_id = $1', [eventId]),
      ).toMatchObject({ rowCount: 1 }); // queued inside the transaction...
      await client.query('rollback');
    } finally {
      await client.end();
    }
    // ...and gone with it.
    expect(await server().sql('select id from events where id = $1', [eventId])).toEqual([]);
    expect(await deliveryOf(hook.id)).toBeUndefined();
    expect(await jobs()).toBe(before);
    await runWorker();
    await sleep(500);
    expect(target.received).toEqual([]);
  });

  it('signs with the previous secret too during its grace period', async () => {
    const org = await organization();
    const target = await receiver();
    const previous = newWebhookSecret();
    const rotated = await webhook(org, target.url, { previousSecret: previous });
    const expired = await webhook(org, target.url, {
      previousSecret: newWebhookSecret(),
      previousExpiresIn: '-1 second',
    });
    await runWorker();
    await emit(org);
    await settled(rotated.id);
    await settled(expired.id);

    const byId = (id: string) =>
      target.received.find(({ headers }) => headers['webhook-id'] === id)!;
    const both = byId((await deliveryOf(rotated.id))!.id);
    expect(String(both.headers['webhook-signature']).split(' ')).toHaveLength(2);
    const headers = both.headers as Record<string, string>;
    for (const secret of [rotated.secret, previous]) {
      expect(new Webhook(secret).verify(both.body, headers)).toBeTruthy();
      expect(verifyWebhook(secret, headers, both.body).organizationId).toBe(org);
    }
    const legacy = createHmac('sha256', signingKeyOf(rotated.secret)).update(both.body);
    expect(headers['x-webhook-signature']).toBe(`sha256=${legacy.digest('hex')}`);

    const one = byId((await deliveryOf(expired.id))!.id);
    expect(String(one.headers['webhook-signature']).split(' ')).toHaveLength(1);
  });

  it("sends an organization's farewell from its snapshot, retrying with the same id", async () => {
    const org = await organization();
    const target = await receiver((index, response) => response.writeHead(index ? 200 : 500).end());
    const previous = newWebhookSecret();
    const hook = await webhook(org, target.url, {
      events: ['organization.deleted'],
      previousSecret: previous,
    });
    const client = new pg.Client({ connectionString: server().database.url });
    await client.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into events (id, type, organization_id, target_type, target_id)
         values ($1, 'organization.deleted', $2, 'organization', $3)`,
        [randomUUID(), org, org],
      );
      await client.query('delete from organizations where id = $1', [org]);
      await client.query('commit');
    } finally {
      await client.end();
    }
    expect(await server().sql('select id from webhooks where id = $1', [hook.id])).toEqual([]);
    await runWorker({ retryDelaysMs: [50] });

    await until(async () => target.received.length === 2);
    const [first, second] = target.received as [Received, Received];
    expect(second.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(second.body).toBe(first.body);
    for (const secret of [hook.secret, previous]) {
      expect(verifyWebhook(secret, second.headers, second.body)).toMatchObject({
        type: 'organization.deleted',
        organizationId: org,
      });
    }
    await sleep(300);
    expect(target.received).toHaveLength(2);
  });

  it('marks the last failure failed, and turns off a webhook failing too long, saying so', async () => {
    const org = await organization();
    const failing = await receiver((_, response) => response.writeHead(503).end('unavailable'));
    const hook = await webhook(org, failing.url);
    const observing = await receiver();
    const observer = await webhook(org, observing.url, { events: ['webhook.disabled'] });
    await runWorker({ retryDelaysMs: [50, 50], disableAfterMs: 3_600_000 });

    await emit(org);
    const failed = await settled(hook.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, status_code: 503 });
    expect(failed.response_body).toBe('unavailable');
    const [still] = await server().sql('select * from webhooks where id = $1', [hook.id]);
    expect(still).toMatchObject({ is_active: true, disabled_at: null });
    expect(still?.failing_since).toBeInstanceOf(Date);

    // Failing for longer than WEBHOOK_DISABLE_AFTER_SECONDS: the next failure turns it off.
    await server().sql(
      `update webhooks set failing_since = now() - interval '2 hours' where id = $1`,
      [hook.id],
    );
    await server().sql('delete from webhook_deliveries where webhook_id = $1', [hook.id]);
    await emit(org);
    await until(async () => {
      const [row] = await server().sql('select is_active from webhooks where id = $1', [hook.id]);
      return row?.is_active === false;
    });
    const [off] = await server().sql('select * from webhooks where id = $1', [hook.id]);
    expect(off?.disabled_at).toBeInstanceOf(Date);
    const [event] = await server().sql<Record<string, any>>(
      `select * from events where type = 'webhook.disabled' and target_id = $1`,
      [hook.id],
    );
    expect(event).toMatchObject({
      organization_id: org,
      actor_type: null,
      actor_id: null,
      target_type: 'webhook',
    });
    expect(event?.data.failingSince).toBe((off!.failing_since as Date).toISOString());
    // The rest of its deliveries are dropped, and the event reaches the organization's others.
    expect(await settled(hook.id)).toMatchObject({ status: 'failed', attempts: 1 });
    const notice = (await settled(observer.id)) as Record<string, any>;
    expect(notice).toMatchObject({ status: 'succeeded', event_type: 'webhook.disabled' });
    expect(
      verifyWebhook(observer.secret, observing.received[0]!.headers, notice.body),
    ).toMatchObject({
      type: 'webhook.disabled',
      data: { target: { type: 'webhook', id: hook.id } },
    });
  });
});
