import type { JobHelpers, Task } from 'graphile-worker';
import type { Config } from '../../../config.js';
import type { Logger } from '../../../logger.js';
import { openWebhookSecret } from '../secrets.js';
import { noteFailure } from './failing.js';
import { inTransaction, requeue } from './jobs.js';
import { type SendResult, sendWebhook } from './send.js';
import { signatureHeaders } from './signature.js';

export interface DeliveryDependencies {
  webhooks: Config['webhooks'];
  keyEncryptionKey: Buffer;
  dispatcher: SendDispatcher;
  /**
   * Called once a retry `delayMs` away is committed: wakes the queue's workers then, since
   * the queue itself only finds a future job at its next poll (every 2 s).
   */
  wake?: (delayMs: number) => void;
  logger?: Logger;
}
type SendDispatcher = Parameters<typeof sendWebhook>[0]['dispatcher'];

/** An organization's goodbye: sent from the snapshot its job carries (the rows are gone). */
interface Farewell {
  id: string;
  webhookId: string;
  url: string;
  /** Sealed, as on the webhook's row. */
  secret: string;
  previousSecret: string | null;
  body: string;
  attempts: number;
}

type Payload = { deliveryId?: unknown; farewell?: Farewell };

/**
 * The `deliver_webhook` task: one attempt at one delivery. A failure with retries left queues
 * the next attempt (same job key, `run_at` = now + the configured delay) in the transaction
 * that records this one; the job itself never fails for a receiver's sake.
 */
export function deliverWebhookTask(deps: DeliveryDependencies): Task {
  return async (payload, helpers) => {
    const { deliveryId, farewell } = (payload ?? {}) as Payload;
    if (farewell) return deliverFarewell(deps, farewell, helpers);
    if (typeof deliveryId === 'string') return deliverOne(deps, deliveryId, helpers);
    deps.logger?.error({ component: 'webhooks', jobId: helpers.job.id }, 'unknown delivery job');
  };
}

interface DeliveryRow {
  id: string;
  body: string;
  attempts: number;
  status: string;
  event_type: string;
  webhook_id: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  is_active: boolean;
}

async function deliverOne(deps: DeliveryDependencies, deliveryId: string, helpers: JobHelpers) {
  // No row lock is held across the send: the queue runs a job on one worker at a time, and the
  // record below only counts if the attempt count is still the one read here.
  const [row] = await helpers.withPgClient(async (client) => {
    const result = await client.query<DeliveryRow>(
      `select d.id, d.body, d.attempts, d.status, d.event_type, w.id as webhook_id, w.url,
              w.secret, w.is_active,
              case when w.previous_secret_expires_at > now() then w.previous_secret end
                as previous_secret
         from webhook_deliveries d join webhooks w on w.id = d.webhook_id
        where d.id = $1`,
      [deliveryId],
    );
    return result.rows;
  });
  const log = { component: 'webhooks', deliveryId, webhookId: row?.webhook_id };
  if (row?.status !== 'pending') return;
  if (!row.is_active && row.event_type !== 'webhook.test') {
    // Turned off since it was queued: nothing more goes to it.
    await helpers.withPgClient((client) =>
      client.query(
        `update webhook_deliveries set status = 'failed' where id = $1 and status = 'pending'`,
        [deliveryId],
      ),
    );
    deps.logger?.info({ ...log, status: 'failed' }, 'webhook inactive: delivery dropped');
    return;
  }

  const secrets = [row.secret, row.previous_secret]
    .filter((sealed): sealed is string => sealed !== null)
    .map((sealed) => openWebhookSecret(deps.keyEncryptionKey, sealed, row.webhook_id));
  const attempt = row.attempts + 1;
  const result = await send(deps, { id: deliveryId, url: row.url, body: row.body, secrets });
  const retryInMs = result.ok ? undefined : deps.webhooks.retryDelaysMs[attempt - 1];
  const status = result.ok ? 'succeeded' : retryInMs === undefined ? 'failed' : 'pending';

  const attemptRow = [
    deliveryId,
    row.attempts,
    attempt,
    status,
    result.statusCode,
    result.responseBody ?? result.error ?? null,
    result.durationMs,
  ];
  // Recorded only if no other run recorded this attempt first (`attempts` still as read).
  const RECORD = `update webhook_deliveries
      set attempts = $3, status = $4, status_code = $5, response_body = $6,
          duration_ms = $7, last_attempt_at = now()
    where id = $1 and attempts = $2 and status = 'pending'`;
  const recorded = result.ok
    ? // The common case in one statement: the attempt, and the webhook no longer failing.
      await helpers.withPgClient(async (client) => {
        const { rows } = await client.query<{ recorded: number }>(
          `with attempt as (${RECORD} returning webhook_id),
                healthy as (update webhooks set failing_since = null
                              where id in (select webhook_id from attempt) and failing_since is not null)
           select count(*)::int as recorded from attempt`,
          attemptRow,
        );
        return rows[0]!.recorded > 0;
      })
    : await inTransaction(helpers, async (client) => {
        const updated = await client.query(RECORD, attemptRow);
        if (updated.rowCount === 0) return false;
        if (retryInMs !== undefined) {
          await requeue(client, { deliveryId }, `delivery:${deliveryId}`, retryInMs);
        }
        if (await noteFailure(client, row.webhook_id, deps.webhooks.disableAfterMs)) {
          deps.logger?.warn(log, 'webhook disabled: its deliveries kept failing');
        }
        return true;
      });
  if (recorded && retryInMs !== undefined) deps.wake?.(retryInMs);
  deps.logger?.info(
    { ...log, attempt, status, statusCode: result.statusCode, error: result.error, recorded },
    'webhook delivery attempt',
  );
}

async function deliverFarewell(
  deps: DeliveryDependencies,
  farewell: Farewell,
  helpers: JobHelpers,
) {
  const secrets = [farewell.secret, farewell.previousSecret]
    .filter((sealed): sealed is string => !!sealed)
    .map((sealed) => openWebhookSecret(deps.keyEncryptionKey, sealed, farewell.webhookId));
  const attempt = farewell.attempts + 1;
  const result = await send(deps, { ...farewell, secrets });
  const retryInMs = result.ok ? undefined : deps.webhooks.retryDelaysMs[attempt - 1];
  if (retryInMs !== undefined) {
    await helpers.withPgClient((client) =>
      requeue(
        client,
        { farewell: { ...farewell, attempts: attempt } },
        `farewell:${farewell.id}`,
        retryInMs,
      ),
    );
    deps.wake?.(retryInMs);
  }
  const status = result.ok ? 'succeeded' : retryInMs === undefined ? 'failed' : 'pending';
  deps.logger?.info(
    {
      component: 'webhooks',
      deliveryId: farewell.id,
      webhookId: farewell.webhookId,
      attempt,
      status,
      statusCode: result.statusCode,
      error: result.error,
    },
    'webhook farewell attempt',
  );
}

function send(
  deps: DeliveryDependencies,
  delivery: { id: string; url: string; body: string; secrets: string[] },
): Promise<SendResult> {
  const headers = signatureHeaders({
    deliveryId: delivery.id,
    timestamp: Math.floor(Date.now() / 1000),
    body: delivery.body,
    secrets: delivery.secrets,
  });
  return sendWebhook({
    url: delivery.url,
    body: delivery.body,
    headers,
    dispatcher: deps.dispatcher,
    timeoutMs: deps.webhooks.timeoutMs,
    allowPrivateNetworks: deps.webhooks.allowPrivateNetworks,
  });
}
