import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { DELIVERY_STATUSES } from '@timbrix/shared/schemas';
import { base, changingBase } from '../../db/base.js';
import { Organization } from '../organizations/entity.js';

export const Webhook = defineEntity({
  name: 'Webhook',
  tableName: 'webhooks',
  properties: {
    ...changingBase(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade').index(),
    url: p.text(),
    description: p.text().nullable(),
    events: p.array<string>(),
    isActive: p.boolean().default(true),
    /** The signing secret, sealed under KEY_ENCRYPTION_KEY (AES-256-GCM, bound to the id). */
    secret: p.text(),
    /** The secret before the last rotation: it signs beside the new one until it expires. */
    previousSecret: p.text().nullable(),
    previousSecretExpiresAt: p.datetime().nullable(),
    /** Since when every attempt has failed; cleared by a success. */
    failingSince: p.datetime().nullable(),
    /** When the server turned it off for failing; cleared when someone turns it back on. */
    disabledAt: p.datetime().nullable(),
  },
});
export type Webhook = InferEntity<typeof Webhook>;

/** One event on its way to one webhook; its id is the Webhook-Id of every attempt. */
export const WebhookDelivery = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  indexes: [{ properties: ['webhook', 'createdAt'] }],
  properties: {
    ...base(),
    webhook: () => p.manyToOne(Webhook).deleteRule('cascade'),
    eventId: p.uuid(),
    eventType: p.text(),
    /** The JSON body, byte for byte as every attempt sends it (and signs it). */
    body: p.text(),
    status: p.text().$type<(typeof DELIVERY_STATUSES)[number]>().default('pending'),
    attempts: p.integer().default(0),
    statusCode: p.integer().nullable(),
    responseBody: p.text().nullable(),
    durationMs: p.integer().nullable(),
    lastAttemptAt: p.datetime().nullable(),
  },
});
export type WebhookDelivery = InferEntity<typeof WebhookDelivery>;

/** A queue worker's last sign of life (see the delivery worker's heartbeat). */
export const WorkerHeartbeat = defineEntity({
  name: 'WorkerHeartbeat',
  tableName: 'worker_heartbeats',
  properties: {
    workerId: p.text().primary(),
    beatAt: p.datetime().defaultRaw('now()'),
  },
});
export type WorkerHeartbeat = InferEntity<typeof WorkerHeartbeat>;
