import type { JobHelpers } from 'graphile-worker';
import type { PoolClient } from 'pg';
import { DELIVER_TASK } from '../queue.js';

/** Queues the next attempt, `delayMs` after this one ended (replacing this job's key). */
export async function requeue(
  client: PoolClient,
  payload: object,
  jobKey: string,
  delayMs: number,
) {
  await client.query(
    `select graphile_worker.add_job($1, $2::json, job_key := $3,
       run_at := clock_timestamp() + $4 * interval '1 millisecond', max_attempts := 10)`,
    [DELIVER_TASK, JSON.stringify(payload), jobKey, delayMs],
  );
}

/** Runs `work` in one transaction on a connection of the queue's pool. */
export async function inTransaction<T>(
  helpers: JobHelpers,
  work: (client: PoolClient) => Promise<T>,
): Promise<T> {
  return helpers.withPgClient(async (client) => {
    await client.query('begin');
    try {
      const result = await work(client);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  });
}
