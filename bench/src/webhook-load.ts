/** The webhook bench's load: its receiver process, subscriptions, and the open-loop changes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTimbrixClient } from '@timbrix/client';
import { paths } from './settings.js';
import type { ReceiverMessage } from './webhook-receiver.js';

/** The event the changes produce, and the one the webhook subscribes to. */
export const EVENT = 'organization.updated';
/** How long to wait for the last deliveries after the last change was answered. */
const DRAIN_TIMEOUT_MS = 60_000;

export interface Receiver {
  url: string;
  ask<T extends ReceiverMessage['type']>(type: T): Promise<Extract<ReceiverMessage, { type: T }>>;
  stop(): Promise<void>;
}

/** The receiver (webhook-receiver.ts) in its own process. */
export async function startReceiver(): Promise<Receiver> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(paths.source, 'webhook-receiver.ts')],
    { cwd: paths.bench, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const next = <T extends ReceiverMessage['type']>(type: T) =>
    new Promise<Extract<ReceiverMessage, { type: T }>>((resolve, reject) => {
      const onMessage = (message: ReceiverMessage) => {
        if (message.type !== type) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message as Extract<ReceiverMessage, { type: T }>);
      };
      const onExit = (code: number | null) =>
        reject(new Error(`the webhook receiver exited (${code})`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const { port } = await next('ready');
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    ask(type) {
      const answer = next(type);
      child.send(type);
      return answer;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * A new account, `organizations` organizations it owns, and on each one webhook for `EVENT`
 * to `receiverUrl`.
 */
export async function subscribe(origin: string, receiverUrl: string, organizations: number) {
  const email = `bench-hooks-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'bench-password-123';
  const anonymous = createTimbrixClient({ url: origin });
  await anonymous.auth.register.mutate({ email, password });
  const { accessToken: session } = await anonymous.auth.login.mutate({ email, password });
  const signedIn = createTimbrixClient({ url: origin, token: session });
  const headers = { authorization: `Bearer ${session}`, 'content-type': 'application/json' };
  const organizationIds: string[] = [];
  const webhookIds: string[] = [];
  for (let i = 0; i < organizations; i++) {
    const org = await signedIn.organizations.create.mutate({
      name: `Webhook bench ${i}`,
      slug: `bench-hooks-${randomBytes(4).toString('hex')}`,
    });
    const created = await fetch(`${origin}/api/organizations/${org.id}/webhooks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ url: receiverUrl, events: [EVENT], description: 'bench receiver' }),
    });
    if (created.status !== 201) {
      throw new Error(`create webhook: ${created.status} ${await created.text()}`);
    }
    organizationIds.push(org.id);
    webhookIds.push(((await created.json()) as { id: string }).id);
  }
  return { organizationIds, webhookIds, headers };
}

export type Subscription = Awaited<ReturnType<typeof subscribe>>;

export interface Change {
  scheduledAt: number;
  sentAt: number;
  answeredAt?: number;
  status?: number;
}

/** The load generator's connections: kept alive, and bounded, so that an overloaded server
 * queues requests here (their latency counts from their scheduled time) instead of being sent
 * thousands of new connections. */
export const CONNECTIONS = 64;

/** One PUT; resolves to its status, 0 if no answer came within 30 s. */
export function put(agent: Agent, url: URL, headers: Record<string, string>, body: string) {
  return new Promise<number>((resolve) => {
    const req = request(
      url,
      {
        method: 'PUT',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        timeout: 30_000,
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end(body);
  });
}

/**
 * Offers `count` changes at `perSecond`, open loop: each is issued at its scheduled time
 * whatever became of the ones before. Resolves once every one has been answered (or failed).
 */
export async function offer(
  origin: string,
  subscription: Subscription,
  label: string,
  perSecond: number,
  count: number,
): Promise<Change[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const changes: Change[] = [];
  const answers: Promise<void>[] = [];
  const { organizationIds } = subscription;
  const urls = organizationIds.map((id) => new URL(`/api/organizations/${id}`, origin));
  const fire = (i: number, scheduledAt: number) => {
    const change: Change = { scheduledAt, sentAt: Date.now() };
    changes[i] = change;
    answers.push(
      put(
        agent,
        urls[i % urls.length]!,
        subscription.headers,
        JSON.stringify({ name: `Hooks ${label}-${i}` }),
      ).then((status) => {
        change.answeredAt = Date.now();
        change.status = status;
      }),
    );
  };
  const interval = 1000 / perSecond;
  const start = Date.now() + 20;
  let sent = 0;
  while (sent < count) {
    const due = Math.min(count, Math.floor((Date.now() - start) / interval) + 1);
    while (sent < due) {
      fire(sent, start + sent * interval);
      sent++;
    }
    await sleep(1);
  }
  await Promise.all(answers);
  agent.destroy();
  return changes;
}

/** Waits until the receiver has `expected` arrivals, or nothing arrived for `DRAIN_TIMEOUT_MS`. */
export async function drain(receiver: Receiver, expected: number) {
  let last = -1;
  let lastProgress = Date.now();
  for (;;) {
    const { count } = await receiver.ask('count');
    if (count >= expected) return;
    if (count !== last) {
      last = count;
      lastProgress = Date.now();
    } else if (Date.now() - lastProgress > DRAIN_TIMEOUT_MS) {
      return;
    }
    await sleep(20);
  }
}
