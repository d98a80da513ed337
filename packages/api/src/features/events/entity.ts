import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { ActorType, EventType, TargetType } from '@timbrix/shared/events';
import { base } from '../../db/base.js';

/**
 * Something that happened in an organization: a row of its audit log, and (by the table's
 * trigger, in the same transaction) the deliveries to its webhooks. No foreign key to the
 * organization: its audit rows outlive it for the retention period.
 */
export const Event = defineEntity({
  name: 'Event',
  tableName: 'events',
  indexes: [{ properties: ['organizationId', 'createdAt', 'id'] }, { properties: ['createdAt'] }],
  properties: {
    ...base(),
    type: p.text().$type<EventType>(),
    organizationId: p.uuid(),
    actorType: p.text().$type<ActorType>().nullable(),
    actorId: p.text().nullable(),
    requestId: p.text().nullable(),
    ip: p.text().nullable(),
    userAgent: p.text().nullable(),
    targetType: p.text().$type<TargetType>(),
    targetId: p.text(),
    data: p.json<Record<string, unknown>>().defaultRaw(`'{}'`),
  },
});
export type Event = InferEntity<typeof Event>;
