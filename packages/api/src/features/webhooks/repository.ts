import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { withLockedRow } from '../../db/locked.js';
import { Repository } from '../../db/repository.js';
import { isUuid } from '../../lib/ids.js';
import { applyChanges, type NewEvent, recordEvent } from '../events/record.js';
import { holdStanding, type StandingHold } from '../memberships/repository.js';
import { Webhook, WebhookDelivery } from './entity.js';

export interface NewWebhook {
  organizationId: string;
  url: string;
  events: string[];
  description: string | null;
  /** Seals the webhook's secret, bound to its id (known only here). */
  seal: (webhookId: string) => string;
}

export interface WebhookChanges {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  isActive?: boolean | undefined;
}

/** How many deliveries a webhook's log keeps and shows. */
export const DELIVERY_LOG_SIZE = 100;

/** An organization's webhooks and their deliveries: one aggregate. */
export class WebhookRepository extends Repository {
  create(fields: NewWebhook, hold: StandingHold | null): Promise<Webhook> {
    return this.em.transactional(async (em) => {
      await holdStanding(em, hold);
      const id = randomUUID();
      const { seal, organizationId, ...shown } = fields;
      const webhook = em.create(Webhook, {
        id,
        organization: organizationId,
        ...shown,
        secret: seal(id),
      });
      this.record(em, webhook, 'webhook.created', shown);
      return webhook;
    });
  }

  list(organizationId: string) {
    return this.em.find(
      Webhook,
      { organization: organizationId },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
  }

  byId(organizationId: string, id: string) {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.em.findOne(Webhook, { id: id.toLowerCase(), organization: organizationId });
  }

  /** Applies what changed, under a lock; turning a webhook back on forgets its failures. */
  update(webhook: Webhook, changes: WebhookChanges, hold: StandingHold | null) {
    return this.locked(webhook, hold, async (em, locked) => {
      const changed = applyChanges(em, locked, changes);
      if (Object.keys(changed).length === 0) return locked;
      if (changes.isActive) Object.assign(locked, { failingSince: null, disabledAt: null });
      this.record(em, locked, 'webhook.updated', { changes: changed });
      return locked;
    });
  }

  /** Deletes the webhook; its deliveries go with it, and so do their queued jobs. */
  delete(webhook: Webhook, hold: StandingHold | null) {
    return this.locked(webhook, hold, async (em, locked) => {
      this.record(em, locked, 'webhook.deleted', { url: locked.url });
      await em.execute(
        `select graphile_worker.remove_job('delivery:' || id)
           from webhook_deliveries where webhook_id = ? and status = 'pending'`,
        [locked.id],
      );
      em.remove(locked);
    });
  }

  /**
   * Seals a new secret as the current one; the current one signs beside it until `until`, and
   * one still in its grace period ends at once (at most two sign).
   */
  rotateSecret(webhook: Webhook, sealed: string, until: Date, hold: StandingHold | null) {
    return this.locked(webhook, hold, async (em, locked) => {
      Object.assign(locked, {
        previousSecret: locked.secret,
        previousSecretExpiresAt: until,
        secret: sealed,
      });
      this.record(em, locked, 'webhook.secret_rotated', {
        previousSecretExpiresAt: until.toISOString(),
      });
    });
  }

  /** A `webhook.test` event for this webhook alone; returns it and its delivery. */
  test(webhook: Webhook, hold: StandingHold | null) {
    return this.locked(webhook, hold, async (em, locked) => {
      const event = this.record(em, locked, 'webhook.test', {
        message: 'This is a test event from Timbrix',
      });
      await em.flush();
      const delivery = await em.findOneOrFail(WebhookDelivery, {
        eventId: event.id,
        webhook: locked.id,
      });
      return { eventId: event.id, deliveryId: delivery.id };
    });
  }

  /** The webhook's latest deliveries, newest first. */
  deliveries(webhook: Webhook) {
    return this.em.find(
      WebhookDelivery,
      { webhook: webhook.id },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit: DELIVERY_LOG_SIZE },
    );
  }

  /** Forgets deliveries older than each webhook's latest `DELIVERY_LOG_SIZE` that are done. */
  async pruneDeliveries(): Promise<void> {
    await this.sql.run(
      'prune-webhook-deliveries',
      `delete from webhook_deliveries d
        using (select id, row_number() over (partition by webhook_id order by created_at desc, id desc) as n
                 from webhook_deliveries) ranked
        where d.id = ranked.id and ranked.n > $1 and d.status <> 'pending'`,
      [DELIVERY_LOG_SIZE],
    );
  }

  /** Runs `work` on the webhook locked as it stands, holding `hold`. */
  private locked<T>(
    webhook: Webhook,
    hold: StandingHold | null,
    work: (em: EntityManager, locked: Webhook) => Promise<T>,
  ): Promise<T> {
    return withLockedRow(this.em, Webhook, webhook.id, hold, work);
  }

  private record(
    em: EntityManager,
    webhook: Webhook,
    type: NewEvent['type'],
    data: Record<string, unknown>,
  ) {
    return recordEvent(em, this.origin, {
      type,
      organizationId: webhook.organization.id,
      target: { type: 'webhook', id: webhook.id },
      data,
    });
  }
}
