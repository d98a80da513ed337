import type { EventType } from '@timbrix/shared/events';
import { Repository } from '../../db/repository.js';
import { Event } from './entity.js';
import { type EventOrigin, eventRow } from './record.js';

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
    let older = {};
    if (after) {
      const cursor = await this.em.findOne(Event, { id: after, organizationId });
      if (!cursor) return null;
      older = {
        $or: [
          { createdAt: { $lt: cursor.createdAt } },
          { createdAt: cursor.createdAt, id: { $lt: cursor.id } },
        ],
      };
    }
    const createdAt = {
      ...(filters.since ? { $gte: filters.since } : {}),
      ...(filters.until ? { $lt: filters.until } : {}),
    };
    return this.em.find(
      Event,
      {
        organizationId,
        ...older,
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
    const event = eventRow(origin, {
      type: 'client_authentication.failures_exceeded',
      organizationId: '', // the statement reads it from the app
      target: { type: 'oauth_app', id: clientId },
      data: { failures },
    });
    await this.sql.run(
      'event-client-authentication-failures',
      `insert into events (id, created_at, type, organization_id, actor_type, actor_id,
                           request_id, ip, user_agent, target_type, target_id, data)
       select $1, $2, $3, a.organization_id, null, null, $4, $5, $6, $7, a.client_id, $8
         from oauth_apps a where a.client_id = $9`,
      [
        event.id,
        event.createdAt,
        event.type,
        event.requestId,
        event.ip,
        event.userAgent,
        event.targetType,
        event.data,
        clientId,
      ],
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
