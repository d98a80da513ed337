import { EventEmitter } from 'node:events';
import { run, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';
import type { Config } from '../../../config.js';
import type { Logger } from '../../../logger.js';
import { DELIVER_TASK, queueLogger } from '../queue.js';
import { deliverWebhookTask } from './deliver.js';
import { deliveryAgent } from './send.js';

/** A wake-up comes this long after a retry's `run_at`, so that the job is due by then. */
const WAKE_MARGIN_MS = 20;

export interface WorkerOptions {
  /** The database (or a pool on it) whose queue the worker takes jobs from. */
  connectionString?: string;
  pgPool?: pg.Pool;
  config: Pick<Config, 'webhooks' | 'workers'>;
  keyEncryptionKey: Buffer;
  logger?: Logger;
}

export interface DeliveryWorker {
  /** The queue worker ids of this process (each beats in `worker_heartbeats`). */
  workerIds(): string[];
  /** Finishes the jobs in hand, then stops taking jobs, beating and sweeping. */
  stop(): Promise<void>;
}

/**
 * Runs webhook deliveries from the queue: graphile-worker with `concurrency` jobs at a time.
 *
 * Jobs a killed process had taken would stay locked for the queue's lock timeout (four hours).
 * Instead every worker beats in `worker_heartbeats` every `staleAfterMs / 4`, and every process
 * sweeps: the workers whose last beat is older than `staleAfterMs`, and those holding a job for
 * longer than that without any beat, have their jobs unlocked at once
 * (`graphile_worker.force_unlock_workers`), so another worker runs them again (at least once:
 * the same Webhook-Id).
 */
export async function startWorker(options: WorkerOptions): Promise<DeliveryWorker> {
  const { config, logger } = options;
  if (!options.pgPool && !options.connectionString) {
    throw new Error('startWorker needs a connectionString or a pgPool');
  }
  const ownPool = !options.pgPool;
  const pool =
    options.pgPool ??
    new pg.Pool({
      connectionString: options.connectionString,
      max: config.workers.concurrency + 3,
      application_name: 'timbrix-worker',
    });
  if (ownPool) pool.on('error', () => {}); // an idle connection lost; the next query reconnects
  const dispatcher = deliveryAgent(config.webhooks.allowPrivateNetworks);
  const log = { component: 'worker' };

  // Listened to before the pool starts: its workers are created inside `run`.
  const events: WorkerEvents = new EventEmitter() as WorkerEvents;
  const live = new Set<string>();
  const everSeen = new Set<string>();
  events.on('worker:create', ({ worker }) => {
    live.add(worker.workerId);
    everSeen.add(worker.workerId);
    beat().catch(() => {}); // the timer beats again soon
  });
  events.on('worker:stop', ({ worker }) => {
    live.delete(worker.workerId);
  });

  // The queue finds a job that has come due only at its next poll (every 2 s): a retry's
  // task asks to be woken when its next attempt is due, so the spacing is the configured one;
  // jobs unlocked by the sweep are announced the same way.
  const NUDGE = `select pg_notify('jobs:insert', json_build_object('count', $1::int)::text)`;
  const staleAfterMs = config.workers.staleAfterMs;
  const beat = async () => {
    if (live.size === 0) return;
    await pool.query(
      `insert into worker_heartbeats (worker_id, beat_at) select unnest($1::text[]), now()
       on conflict (worker_id) do update set beat_at = excluded.beat_at`,
      [[...live]],
    );
  };
  const sweep = async () => {
    const { rows } = await pool.query<{ worker_id: string }>(
      `with stale as (
         delete from worker_heartbeats
          where beat_at < now() - $1 * interval '1 millisecond' and not (worker_id = any($2::text[]))
          returning worker_id),
       silent as (
         select distinct locked_by as worker_id from graphile_worker.jobs
          where locked_by is not null and locked_at < now() - $1 * interval '1 millisecond'
            and locked_by not in (select worker_id from worker_heartbeats)
            and not (locked_by = any($2::text[])))
       select worker_id from stale union select worker_id from silent`,
      [staleAfterMs, [...live]],
    );
    if (rows.length === 0) return;
    const ids = rows.map((row) => row.worker_id);
    await pool.query('select graphile_worker.force_unlock_workers($1::text[])', [ids]);
    await pool.query(NUDGE, [ids.length]);
    logger?.warn({ ...log, workerIds: ids }, 'unlocked the jobs of workers that stopped beating');
  };
  const wakeTimers = new Set<NodeJS.Timeout>();
  const wake = (delayMs: number) => {
    const timer = setTimeout(() => {
      wakeTimers.delete(timer);
      pool.query(NUDGE, [1]).catch(() => {}); // the poll finds it anyway
    }, delayMs + WAKE_MARGIN_MS);
    timer.unref();
    wakeTimers.add(timer);
  };
  const tick = () => {
    beat()
      .then(sweep)
      .catch((error) => logger?.warn({ ...log, err: error }, 'worker heartbeat failed'));
  };

  let runner: Awaited<ReturnType<typeof run>>;
  try {
    runner = await run({
      pgPool: pool,
      concurrency: config.workers.concurrency,
      noHandleSignals: true,
      events,
      logger: queueLogger(logger),
      taskList: {
        [DELIVER_TASK]: deliverWebhookTask({
          webhooks: config.webhooks,
          keyEncryptionKey: options.keyEncryptionKey,
          dispatcher,
          wake,
          logger,
        }),
      },
    });
  } catch (error) {
    await dispatcher.close();
    if (ownPool) await pool.end();
    throw error;
  }
  runner.promise.catch((error) => logger?.error({ ...log, err: error }, 'queue runner failed'));
  const timer = setInterval(tick, Math.max(250, Math.floor(staleAfterMs / 4)));
  timer.unref();
  tick();

  let stopping: Promise<void> | undefined;
  return {
    workerIds: () => [...live],
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        await runner.stop();
        for (const wakeTimer of wakeTimers) clearTimeout(wakeTimer);
        await pool
          .query('delete from worker_heartbeats where worker_id = any($1::text[])', [[...everSeen]])
          .catch((error) => logger?.warn({ ...log, err: error }, 'heartbeat rows not removed'));
        await dispatcher.close();
        if (ownPool) await pool.end();
      })();
      return stopping;
    },
  };
}
