import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { ActorType, EventType, TargetType } from '@timbrix/shared/events';
import type { Principal } from '../../principals.js';
import { Event } from './entity.js';

/** Who caused an event and from where: the request's side of every event it records. */
export interface EventOrigin {
  actor: { type: ActorType; id: string } | null;
  requestId: string | null;
  ip: string | null;
  userAgent: string | null;
}

/** What happened: the change's side of an event. */
export interface NewEvent {
  type: EventType;
  organizationId: string;
  target: { type: TargetType; id: string };
  /** What the event says besides; never a secret, hash or token. */
  data?: Record<string, unknown>;
}

/** The server itself (a webhook disabled for failing), outside any request. */
export const SERVER_ORIGIN: EventOrigin = {
  actor: null,
  requestId: null,
  ip: null,
  userAgent: null,
};

/** An origin, the user agent cut to a length worth keeping. */
export function eventOrigin(
  actor: EventOrigin['actor'],
  request: { requestId: string | null; ip: string | null; userAgent: string | undefined },
): EventOrigin {
  const { requestId, ip, userAgent } = request;
  return { actor, requestId, ip, userAgent: userAgent?.slice(0, 512) ?? null };
}

/** The actor a caller is: a person (whatever credential they use), an API key, an app. */
export function actorOf(principal: Principal): EventOrigin['actor'] {
  switch (principal.kind) {
    case 'anonymous':
      return null;
    case 'api_key':
      return { type: 'api_key', id: principal.keyId };
    case 'token':
      return principal.userId
        ? { type: 'user', id: principal.userId }
        : { type: 'app', id: principal.clientId };
    case 'session':
      return { type: 'user', id: principal.userId };
  }
}

/**
 * Records `event` in the unit of work `em`: it is written at the next flush, in the same
 * transaction as the change it describes, and its trigger queues its webhook deliveries there.
 */
export function recordEvent(em: EntityManager, origin: EventOrigin, event: NewEvent): Event {
  return em.create(Event, eventRow(origin, event));
}

/** The event's row, for statements that write it themselves (one statement, one commit). */
export function eventRow(origin: EventOrigin, event: NewEvent) {
  return {
    id: randomUUID(),
    createdAt: new Date(),
    type: event.type,
    organizationId: event.organizationId,
    actorType: origin.actor?.type ?? null,
    actorId: origin.actor?.id ?? null,
    requestId: origin.requestId,
    ip: origin.ip,
    userAgent: origin.userAgent,
    targetType: event.target.type,
    targetId: event.target.id,
    data: event.data ?? {},
  };
}

export type EventRow = ReturnType<typeof eventRow>;

/** The columns of `events`, in the order `eventValues` gives their values. */
export const EVENT_COLUMNS =
  'id, created_at, type, organization_id, actor_type, actor_id, request_id, ip, user_agent, target_type, target_id, data';

/**
 * For statements that write an event beside their change: the values of `row`, in the order of
 * `EVENT_COLUMNS`, and their placeholders from `$first` on.
 */
export function eventParameters(row: EventRow, first: number) {
  const values = [
    row.id,
    row.createdAt,
    row.type,
    row.organizationId,
    row.actorType,
    row.actorId,
    row.requestId,
    row.ip,
    row.userAgent,
    row.targetType,
    row.targetId,
    row.data,
  ];
  const placeholders = values.map((_, i) => `$${first + i}`).join(', ');
  return { values, placeholders };
}

/** Assigns the fields of `changes` that differ from `entity`'s; returns them, with from and to. */
export function applyChanges(em: EntityManager, entity: object, changes: object) {
  const changed = changesBetween(entity, changes);
  const values = Object.entries(changed).map(([field, { to }]) => [field, to]);
  em.assign(entity, Object.fromEntries(values));
  return changed;
}

/** The fields that changed, each with what it was and what it became (for `*.updated`). */
export function changesBetween(
  before: object,
  after: object,
): Record<string, { from: unknown; to: unknown }> {
  const changes: Record<string, { from: unknown; to: unknown }> = {};
  for (const [field, to] of Object.entries(after)) {
    if (to === undefined) continue;
    const from = (before as Record<string, unknown>)[field];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[field] = { from, to };
  }
  return changes;
}
