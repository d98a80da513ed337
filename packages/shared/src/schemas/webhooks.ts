import { z } from 'zod';
import { SUBSCRIBABLE_EVENT_TYPES } from '../events.js';
import { absentIfBlank, idSchema, strict, timestampSchema } from './common.js';

// Whitespace, controls and backslashes are where URL parsers disagree.
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rejects
const AMBIGUOUS_CHARACTERS = /[\s\u0000-\u001f\u007f\\]/;

/**
 * Where a webhook's deliveries go. Whether plain http and private addresses are allowed is
 * the server's setting (WEBHOOK_ALLOW_PRIVATE_NETWORKS), so the server judges that part.
 */
export const webhookUrlSchema = z
  .string({ error: 'url must be a string' })
  .max(2048, 'url must be at most 2048 characters')
  .refine((url) => !AMBIGUOUS_CHARACTERS.test(url), {
    message: 'url must not contain whitespace, control characters or backslashes',
    abort: true,
  })
  .refine((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), {
    message: 'url must be an absolute https URL',
    abort: true,
  })
  .refine((url) => !url.includes('#'), { message: 'url must not contain a fragment' })
  .refine((url) => !new URL(url).username && !new URL(url).password, {
    message: 'url must not contain a user name or password',
  });

export const subscribableEventSchema = z.enum(SUBSCRIBABLE_EVENT_TYPES, {
  error: (issue) =>
    `events must each be one of ${SUBSCRIBABLE_EVENT_TYPES.join(', ')}; got ${JSON.stringify(issue.input)}`,
});

const eventsSchema = z
  .array(subscribableEventSchema, { error: 'events must be an array of event types' })
  .min(1, 'events must name at least one event type')
  .max(SUBSCRIBABLE_EVENT_TYPES.length, 'events must not repeat an event type')
  .refine((events) => new Set(events).size === events.length, {
    message: 'events must not repeat an event type',
  });

const descriptionSchema = z
  .string({ error: 'description must be a string' })
  .trim()
  .max(200, 'description must be at most 200 characters');

export const webhookIdInput = z.object({ organizationId: idSchema, webhookId: idSchema });

export const createWebhookInput = z.object({
  organizationId: idSchema,
  url: webhookUrlSchema,
  events: eventsSchema,
  description: z.preprocess(absentIfBlank, descriptionSchema.optional()),
});

export const updateWebhookInput = webhookIdInput.extend({
  url: webhookUrlSchema.optional(),
  events: eventsSchema.optional(),
  description: z
    .preprocess((value) => (value === '' ? null : value), descriptionSchema.nullable().optional())
    .meta({ description: '`null` (or "") clears it' }),
  isActive: strict(z.boolean({ error: 'isActive must be true or false' })).optional(),
});

export const webhook = z
  .object({
    id: idSchema,
    organizationId: idSchema,
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(subscribableEventSchema),
    isActive: z.boolean(),
    /** Set when the server turned the webhook off because every delivery kept failing. */
    disabledAt: timestampSchema.nullable(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: 'Webhook' });

const secretSchema = z.string().meta({
  description: 'whsec_ and the base64 of 32 random bytes (Standard Webhooks). Shown only once.',
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
});

export const createdWebhook = webhook.extend({ secret: secretSchema }).meta({
  id: 'CreatedWebhook',
});

export const rotatedWebhookSecret = z.object({
  secret: secretSchema,
  previousSecretExpiresAt: timestampSchema.meta({
    description: 'Until then deliveries carry a second signature, made with the previous secret',
  }),
});

export const testDelivery = z.object({ deliveryId: idSchema, eventId: idSchema });

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;

export const webhookDelivery = z
  .object({
    id: idSchema.meta({ description: 'Also the Webhook-Id header of every attempt' }),
    webhookId: idSchema,
    eventId: idSchema,
    event: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    success: z.boolean(),
    statusCode: z.number().int().nullable(),
    responseBody: z.string().nullable().meta({ description: 'The first 1 KiB of the answer' }),
    attempts: z.number().int(),
    durationMs: z.number().int().nullable(),
    createdAt: timestampSchema,
    lastAttemptAt: timestampSchema.nullable(),
  })
  .meta({ id: 'WebhookDelivery' });

export type CreateWebhookInput = z.infer<typeof createWebhookInput>;
export type UpdateWebhookInput = z.infer<typeof updateWebhookInput>;
export type Webhook = z.infer<typeof webhook>;
export type WebhookDelivery = z.infer<typeof webhookDelivery>;
