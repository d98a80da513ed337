import type { PoolClient } from 'pg';
import { EVENT_COLUMNS, eventParameters, eventRow, SERVER_ORIGIN } from '../../events/record.js';

/**
 * A failed attempt: the webhook is failing since its first failure after its last success;
 * failing for `disableAfterMs`, it is turned off, and a `webhook.disabled` event says so (in
 * the same transaction; the events trigger delivers it to the organization's other webhooks).
 * True when this call turned it off.
 */
export async function noteFailure(
  client: PoolClient,
  webhookId: string,
  disableAfterMs: number,
): Promise<boolean> {
  const { rows } = await client.query<{
    organization_id: string;
    is_active: boolean;
    failing_since: Date;
    failing_ms: number;
  }>(
    `update webhooks set failing_since = coalesce(failing_since, now()) where id = $1
     returning organization_id, is_active, failing_since,
       extract(epoch from clock_timestamp() - failing_since) * 1000 as failing_ms`,
    [webhookId],
  );
  const [webhook] = rows;
  if (!webhook?.is_active || Number(webhook.failing_ms) < disableAfterMs) return false;
  const disabled = await client.query(
    `update webhooks set is_active = false, disabled_at = now(), updated_at = now()
      where id = $1 and is_active`,
    [webhookId],
  );
  if (disabled.rowCount === 0) return false;
  const event = eventRow(SERVER_ORIGIN, {
    type: 'webhook.disabled',
    organizationId: webhook.organization_id,
    target: { type: 'webhook', id: webhookId },
    data: {
      reason: `every delivery failed for ${Math.round(disableAfterMs / 1000)} s`,
      failingSince: webhook.failing_since.toISOString(),
    },
  });
  const { values, placeholders } = eventParameters(event, 1);
  await client.query(`insert into events (${EVENT_COLUMNS}) values (${placeholders})`, values);
  return true;
}
