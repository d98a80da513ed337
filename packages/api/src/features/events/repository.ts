import type { EventType } from '@timbrix/shared/events';
import { Repository } from '../../db/repository.js';
import { olderThan } from '../../lib/cursor.js';
import { Event } from './entity.js';
import { EVENT_COLUMNS, type EventOrigin, eventParameters, eventRow } from './record.js';

export interface AuditFilters {
  type?: EventType | undefined;
  actorId?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

/** The event stream as the audit log reads it, and the events no request's change writes. */
export class EventRepository extends Repository {
  /**
   * Up to `limit` of the organization's events matching `filters`, newest first, older than
   * the event `after` if given (null when `after` is no event of the organization).
   */
  async page(
    organizationId: string,
    filters: AuditFilters,
    limit: number,
    after?: string,
  ): Promise<Event[] | null> {
    const cursor = after ? await this.em.findOne(Event, { id: after, organizationId }) : null;
    if (after && !cursor) return null;
    const createdAt = {
      ...(filters.since ? { $gte: filters.since } : {}),
      ...(filters.until ? { $lt: filters.until } : {}),
    };
    return this.em.find(
      Event,
      {
        organizationId,
        ...olderThan(cursor),
        ...(filters.type ? { type: filters.type } : {}),
        ...(filters.actorId ? { actorId: filters.actorId } : {}),
        ...(Object.keys(createdAt).length > 0 ? { createdAt } : {}),
      },
      { orderBy: { createdAt: 'desc', id: 'desc' }, limit },
    );
  }

  /**
   * Records that the client `clientId` failed to authenticate past its limit, in its app's
   * organization; a client id no app has is in no organization, and writes nothing.
   */
  async clientAuthenticationFailuresExceeded(
    clientId: string,
    failures: number,
    origin: EventOrigin,
  ): Promise<void> {
    const { rows } = await this.sql.run<{ organization_id: string }>(
      'organization-of-client',
      'select organization_id from oauth_apps where client_id = $1',
      [clientId],
    );
    if (!rows[0]) return;
    const event = eventRow(origin, {
      type: 'client_authentication.failures_exceeded',
      organizationId: rows[0].organization_id,
      target: { type: 'oauth_app', id: clientId },
      data: { failures },
    });
    const { values, placeholders } = eventParameters(event, 1);
    await this.sql.run(
      'event-client-authentication-failures',
      `insert into events (${EVENT_COLUMNS}) values (${placeholders})`,
      values,
    );
  }

  /** Forgets events older than `days` days (the audit log's retention). */
  async pruneOlderThan(days: number): Promise<void> {
    await this.sql.run(
      'prune-events',
      `delete from events where created_at < now() - make_interval(days => $1)`,
      [days],
    );
  }
}
