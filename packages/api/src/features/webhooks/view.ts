import type { SubscribableEventType } from '@timbrix/shared/events';
import type {
  WebhookDelivery as DeliveryView,
  Webhook as WebhookView,
} from '@timbrix/shared/schemas';
import type { Webhook, WebhookDelivery } from './entity.js';

/** A webhook as every answer shows it: never its secret. */
export function webhookView(webhook: Webhook): WebhookView {
  return {
    id: webhook.id,
    organizationId: webhook.organization.id,
    url: webhook.url,
    description: webhook.description ?? null,
    events: webhook.events as SubscribableEventType[],
    isActive: webhook.isActive,
    disabledAt: webhook.disabledAt?.toISOString() ?? null,
    createdAt: webhook.createdAt.toISOString(),
    updatedAt: webhook.updatedAt.toISOString(),
  };
}

export function deliveryView(delivery: WebhookDelivery): DeliveryView {
  return {
    id: delivery.id,
    webhookId: delivery.webhook.id,
    eventId: delivery.eventId,
    event: delivery.eventType,
    status: delivery.status,
    success: delivery.status === 'succeeded',
    statusCode: delivery.statusCode ?? null,
    responseBody: delivery.responseBody ?? null,
    attempts: delivery.attempts,
    durationMs: delivery.durationMs ?? null,
    createdAt: delivery.createdAt.toISOString(),
    lastAttemptAt: delivery.lastAttemptAt?.toISOString() ?? null,
  };
}
