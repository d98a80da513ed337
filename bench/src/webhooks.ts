import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { type Server, startProject } from './servers.js';
import { settings } from './settings.js';
import {
  drain,
  EVENT,
  offer,
  type Receiver,
  type Subscription,
  startReceiver,
  subscribe,
} from './webhook-load.js';
import type { Arrival } from './webhook-receiver.js';

const { rate, seconds } = settings.webhooks;
export const WEBHOOK_SCENARIO = `webhooks: delivery at ${rate}/s for ${seconds} s`;

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

export interface WebhookRun {
  offered: number;
  /** Changes answered 2xx, and the others (non-2xx or no answer). */
  answered: number;
  failed: number;
  /** The latest any change was sent after its scheduled time (the load generator's own lag). */
  sendLagMs: number;
  /** Committed changes per second, from the first send to the last answer. */
  changeRate: number;
  /** `organization.updated` events the run committed (read from the database). */
  committed: number;
  /** Distinct events received, events never received, and arrivals beyond the first. */
  received: number;
  missing: number;
  duplicates: number;
  /** Deliveries per second, from the first event's time to the last arrival. */
  deliveryRate: number;
  /** Event `created_at` → arrival (upper bound of commit → receiver), ms. */
  latency: Percentiles;
  /** API answer → arrival (lower bound), ms. */
  latencyFromAnswer: Percentiles;
  /** The changes' own answer times (scheduled time → answer, queueing included), ms. */
  api: Percentiles;
  /** The last arrival after the last answer, ms (negative: before it). */
  drainMs: number;
  /** Delivery rows: succeeded, retried (attempts > 1), and the product's own send time. */
  succeeded: number;
  retried: number;
  sendDuration: Percentiles;
  keptUp: boolean;
  met: boolean;
}

export interface WebhookResult {
  scenario: string;
  rate: number;
  seconds: number;
  organizations: number;
  workerConcurrency: string;
  runs: WebhookRun[];
  /** Medians over the runs. */
  median: Pick<
    WebhookRun,
    'changeRate' | 'deliveryRate' | 'latency' | 'latencyFromAnswer' | 'api' | 'drainMs'
  >;
  target: { rate: number; p99Ms: number };
  met: boolean;
}

/** Nearest-rank percentiles of `values` (ms, rounded to 0.1). */
function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted.length === 0
      ? Number.NaN
      : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (value: number) => Math.round(value * 10) / 10;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? Number.NaN) };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const medianOf = (runs: WebhookRun[], pick: (run: WebhookRun) => Percentiles): Percentiles => ({
  p50: median(runs.map((run) => pick(run).p50)),
  p99: median(runs.map((run) => pick(run).p99)),
  max: median(runs.map((run) => pick(run).max)),
});

/** One run: offer, wait for the deliveries, read the events back, and measure. */
async function runOnce(
  origin: string,
  db: pg.Client,
  receiver: Receiver,
  subscription: Subscription,
  label: string,
  runSeconds: number,
): Promise<WebhookRun> {
  await receiver.ask('reset');
  const changes = await offer(origin, subscription, label, rate, Math.round(rate * runSeconds));
  const prefix = `Hooks ${label}-`;
  const { rows: events } = await db.query<{ id: string; at: number; name: string }>(
    `select id, extract(epoch from created_at) * 1000 as at, data->'changes'->'name'->>'to' as name
       from events
      where organization_id = any($1::uuid[]) and type = $2
        and starts_with(data->'changes'->'name'->>'to', $3)`,
    [subscription.organizationIds, EVENT, prefix],
  );
  await drain(receiver, events.length);
  const { arrivals } = await receiver.ask('report');

  const firstArrival = new Map<string, Arrival>();
  let duplicates = 0;
  for (const arrival of arrivals) {
    if (firstArrival.has(arrival[0])) duplicates++;
    else firstArrival.set(arrival[0], arrival);
  }
  const latencies: number[] = [];
  const fromAnswer: number[] = [];
  let received = 0;
  for (const event of events) {
    const arrival = firstArrival.get(event.id);
    if (!arrival) continue;
    received++;
    latencies.push(arrival[2] - Number(event.at));
    const answeredAt = changes[Number(event.name.slice(prefix.length))]?.answeredAt;
    if (answeredAt !== undefined) fromAnswer.push(arrival[2] - answeredAt);
  }
  const answered = changes.filter(
    (c) => c.status !== undefined && c.status >= 200 && c.status < 300,
  );
  const firstSent = Math.min(...changes.map((c) => c.sentAt));
  const lastAnswer = Math.max(...changes.map((c) => c.answeredAt ?? 0));
  const firstEvent = Math.min(...events.map((e) => Number(e.at)));
  const lastArrival = Math.max(...[...firstArrival.values()].map((a) => a[2]));

  const { rows: deliveries } = await db.query<{
    status: string;
    attempts: number;
    duration_ms: number | null;
  }>(
    `select d.status, d.attempts, d.duration_ms
       from webhook_deliveries d join events e on e.id = d.event_id
      where d.webhook_id = any($1::uuid[]) and starts_with(e.data->'changes'->'name'->>'to', $2)`,
    [subscription.webhookIds, prefix],
  );

  const committed = events.length;
  const changeRate = Math.round(committed / ((lastAnswer - firstSent) / 1000));
  const drainMs = lastArrival - lastAnswer;
  const latency = percentiles(latencies);
  const keptUp = received === committed && drainMs <= 1000;
  const failed = changes.length - answered.length;
  const run: WebhookRun = {
    offered: changes.length,
    answered: answered.length,
    failed,
    sendLagMs: Math.max(...changes.map((c) => c.sentAt - c.scheduledAt)),
    changeRate,
    committed,
    received,
    missing: committed - received,
    duplicates,
    deliveryRate: Math.round(received / ((lastArrival - firstEvent) / 1000)),
    latency,
    latencyFromAnswer: percentiles(fromAnswer),
    api: percentiles(answered.map((c) => c.answeredAt! - c.scheduledAt)),
    drainMs,
    succeeded: deliveries.filter((d) => d.status === 'succeeded').length,
    retried: deliveries.filter((d) => d.attempts > 1).length,
    sendDuration: percentiles(
      deliveries.filter((d) => d.duration_ms !== null).map((d) => d.duration_ms!),
    ),
    keptUp,
    met: keptUp && failed === 0 && changeRate >= 0.95 * rate && latency.p99 < 1000,
  };
  console.log(
    `${WEBHOOK_SCENARIO} run ${label}: ${run.answered}/${run.offered} changes at ${run.changeRate}/s (send lag ≤ ${run.sendLagMs} ms, API p50 ${run.api.p50} p99 ${run.api.p99} ms); delivered ${run.received}/${run.committed} (${run.duplicates} duplicates) at ${run.deliveryRate}/s; latency p50 ${latency.p50} p99 ${latency.p99} max ${latency.max} ms (from the answer: p50 ${run.latencyFromAnswer.p50} p99 ${run.latencyFromAnswer.p99}); drained ${drainMs} ms after the last answer${run.met ? '' : '  (TARGET MISSED)'}`,
  );
  return run;
}

/**
 * The scenario: its own product server (workers in it, private networks allowed for the
 * loopback receiver), a warm-up at the same rate, then `settings.pairs` runs.
 */
export async function measureWebhooks(env: Record<string, string>): Promise<WebhookResult> {
  const receiver = await startReceiver();
  let project: Server | undefined;
  const db = new pg.Client({ connectionString: env.DATABASE_URL });
  try {
    project = await startProject(
      {
        ...env,
        WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        WORKERS: 'on',
        ...(settings.webhooks.workerConcurrency
          ? { WORKER_CONCURRENCY: settings.webhooks.workerConcurrency }
          : {}),
      },
      settings.profile,
    );
    await db.connect();
    const subscription = await subscribe(
      project.url,
      receiver.url,
      settings.webhooks.organizations,
    );
    await runOnce(project.url, db, receiver, subscription, 'warmup', settings.warmup);
    const runs: WebhookRun[] = [];
    for (let i = 0; i < settings.pairs; i++) {
      await sleep(1000);
      runs.push(await runOnce(project.url, db, receiver, subscription, String(i + 1), seconds));
    }
    for (const id of subscription.organizationIds) {
      await fetch(`${project.url}/api/organizations/${id}`, {
        method: 'DELETE',
        headers: subscription.headers,
      });
    }
    return {
      scenario: WEBHOOK_SCENARIO,
      rate,
      seconds,
      organizations: settings.webhooks.organizations,
      workerConcurrency: settings.webhooks.workerConcurrency ?? '10 (default)',
      runs,
      median: {
        changeRate: median(runs.map((r) => r.changeRate)),
        deliveryRate: median(runs.map((r) => r.deliveryRate)),
        latency: medianOf(runs, (r) => r.latency),
        latencyFromAnswer: medianOf(runs, (r) => r.latencyFromAnswer),
        api: medianOf(runs, (r) => r.api),
        drainMs: median(runs.map((r) => r.drainMs)),
      },
      target: { rate, p99Ms: 1000 },
      met: runs.every((r) => r.met),
    };
  } finally {
    await db.end().catch(() => {});
    await project?.stop();
    await receiver.stop();
  }
}
