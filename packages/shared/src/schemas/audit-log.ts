import { z } from 'zod';
import { ACTOR_TYPES, eventTypeSchema, TARGET_TYPES } from '../events.js';
import { idSchema, pageLimitSchema, timestampSchema } from './common.js';

const timeSchema = (name: string) =>
  z.iso.datetime({
    offset: true,
    error: `${name} must be an ISO 8601 time, such as 2026-12-01T00:00:00Z`,
  });

export const auditLogInput = z.object({
  organizationId: idSchema,
  limit: pageLimitSchema,
  after: idSchema.optional().meta({
    description: 'An event id from the previous page: lists the events older than it',
  }),
  type: eventTypeSchema.optional().meta({ description: 'Only events of this type' }),
  actorId: z
    .string({ error: 'actorId must be a string' })
    .min(1, 'actorId must not be empty')
    .max(100, 'actorId must be at most 100 characters')
    .optional()
    .meta({ description: 'Only what this person (user id), app (client id) or API key did' }),
  since: timeSchema('since').optional().meta({ description: 'Only events at or after this time' }),
  until: timeSchema('until').optional().meta({ description: 'Only events before this time' }),
});

export const auditActor = z
  .object({ type: z.enum(ACTOR_TYPES), id: z.string() })
  .nullable()
  .meta({ description: 'Who did it; null when the server itself did (a webhook disabled)' });

export const auditEvent = z
  .object({
    id: idSchema,
    type: eventTypeSchema,
    createdAt: timestampSchema,
    organizationId: idSchema,
    actor: auditActor,
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
    target: z.object({ type: z.enum(TARGET_TYPES), id: z.string() }),
    data: z.record(z.string(), z.unknown()).meta({
      description: 'What the event says: for an update, `changes` holds each field’s from and to',
    }),
  })
  .meta({ id: 'AuditEvent' });

export type AuditEvent = z.infer<typeof auditEvent>;
