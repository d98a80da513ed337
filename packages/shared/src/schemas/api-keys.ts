import { z } from 'zod';
import type { ActorType } from '../events.js';
import { scopeSchema } from '../scopes.js';
import { absentIfBlank, idSchema, pageLimitSchema, strict, timestampSchema } from './common.js';

/** The first characters of a key after `sk_`, kept to tell keys apart in lists. */
export const API_KEY_PREFIX_LENGTH = 8;
/** The most addresses and ranges one key may be limited to. */
export const MAX_ALLOWED_IPS = 100;

/** Who may create a key: a person or an app, never another key. */
export const CREATOR_TYPES = ['user', 'app'] as const satisfies readonly ActorType[];

export const API_KEY_STATUSES = ['active', 'expired', 'revoked'] as const;
export type ApiKeyStatus = (typeof API_KEY_STATUSES)[number];

const ADDRESS_FORMS = [z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()];

/** An IPv4 or IPv6 address, or a CIDR range of either. */
export const allowedIpSchema = z
  .string({ error: 'allowedIps must hold strings' })
  .trim()
  .max(64, 'allowedIps entries must be at most 64 characters')
  .refine((entry) => ADDRESS_FORMS.some((form) => form.safeParse(entry).success), {
    error: (issue) =>
      `allowedIps entries must be IPv4 or IPv6 addresses or CIDR ranges (such as 203.0.113.7, 10.0.0.0/8, 2001:db8::/32); got ${JSON.stringify(issue.input)}`,
  });

const allowedIpsSchema = z
  .array(allowedIpSchema, { error: 'allowedIps must be an array of addresses and CIDR ranges' })
  .max(MAX_ALLOWED_IPS, `allowedIps must hold at most ${MAX_ALLOWED_IPS} entries`)
  .meta({
    description:
      'Addresses and CIDR ranges (IPv4 and IPv6) the key may be used from; empty: from anywhere. The client address honours the server’s TRUST_PROXY.',
    example: ['203.0.113.0/24', '2001:db8::/32'],
  });

const nameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(3, 'name must be at least 3 characters')
  .max(50, 'name must be at most 50 characters')
  .meta({ example: 'Nightly sync' });

const descriptionSchema = z
  .string({ error: 'description must be a string' })
  .trim()
  .max(200, 'description must be at most 200 characters');

const scopesSchema = z
  .array(scopeSchema, { error: 'scopes must be an array of scopes' })
  .min(1, 'scopes must contain at least one scope')
  .max(10, 'scopes must contain at most 10 scopes')
  .refine((scopes) => new Set(scopes).size === scopes.length, {
    message: 'scopes must not contain duplicates',
  });

/** A per-key limit: the key's owner sets it, and it holds whatever the server's own limits. */
const limitSchema = (name: string, most: number) =>
  strict(
    z
      .number({ error: `${name} must be a number` })
      .int(`${name} must be a whole number`)
      .min(1, `${name} must be at least 1`)
      .max(most, `${name} must be at most ${most}`),
  );

const perMinuteSchema = limitSchema('rateLimitPerMinute', 100_000).meta({
  description: 'Requests the key may make per minute; absent or null: no per-key limit',
});
const perHourSchema = limitSchema('rateLimitPerHour', 6_000_000).meta({
  description: 'Requests the key may make per hour; absent or null: no per-key limit',
});

const expiresAtSchema = z.iso
  .datetime({
    offset: true,
    error: 'expiresAt must be an ISO 8601 time, such as 2027-01-01T00:00:00Z',
  })
  .refine((value) => Date.parse(value) > Date.now(), {
    message: 'expiresAt must be in the future',
  })
  .meta({ description: 'When the key stops working; absent: never' });

/** A field that `null` (or `""`) clears and absence leaves unchanged. */
const clearable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? null : value), schema.nullable().optional());

export const apiKeyIdInput = z.object({ organizationId: idSchema, keyId: idSchema });

export const listApiKeysInput = z.object({
  organizationId: idSchema,
  limit: pageLimitSchema,
  after: idSchema
    .optional()
    .meta({ description: 'A key id from the previous page: lists the keys older than it' }),
});

export const createApiKeyInput = z.object({
  organizationId: idSchema,
  name: nameSchema,
  description: z.preprocess(absentIfBlank, descriptionSchema.optional()),
  scopes: scopesSchema
    .default(['read:user'])
    .meta({ description: 'The scopes the key acts with (default `read:user`)' }),
  rateLimitPerMinute: z.preprocess(absentIfBlank, perMinuteSchema.optional()),
  rateLimitPerHour: z.preprocess(absentIfBlank, perHourSchema.optional()),
  allowedIps: z.preprocess(absentIfBlank, allowedIpsSchema.optional()),
  expiresAt: z.preprocess(absentIfBlank, expiresAtSchema.optional()),
});

export const updateApiKeyInput = apiKeyIdInput.extend({
  name: nameSchema.optional(),
  description: clearable(descriptionSchema).meta({ description: '`null` (or "") clears it' }),
  scopes: scopesSchema.optional(),
  rateLimitPerMinute: clearable(perMinuteSchema),
  rateLimitPerHour: clearable(perHourSchema),
  allowedIps: allowedIpsSchema.optional(),
});

export const apiKey = z
  .object({
    id: idSchema,
    organizationId: idSchema,
    prefix: z.string().meta({
      description: `The first ${API_KEY_PREFIX_LENGTH} characters after \`sk_\`: all that is kept of the key to tell it apart`,
      example: 'Xk3f9QaZ',
    }),
    name: z.string(),
    description: z.string().nullable(),
    scopes: z.array(scopeSchema),
    rateLimitPerMinute: z.number().int().nullable(),
    rateLimitPerHour: z.number().int().nullable(),
    allowedIps: z.array(z.string()),
    createdBy: z
      .object({ type: z.enum(CREATOR_TYPES), id: z.string() })
      .meta({ description: 'Who created it: a person (user id) or an app (client id)' }),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
    lastUsedAt: timestampSchema.nullable().meta({
      description:
        'When the key was last presented (refused for its address or limits too), to the minute: a busy key is not written on every request',
    }),
    expiresAt: timestampSchema.nullable(),
    revokedAt: timestampSchema.nullable(),
    status: z.enum(API_KEY_STATUSES),
  })
  .meta({ id: 'ApiKey' });

export const createdApiKey = apiKey
  .extend({
    key: z.string().meta({
      description:
        '`sk_`, 43 random base62 characters and a 6-character checksum. Shown only in this response: store it now, it cannot be retrieved later.',
      example: 'sk_Xk3f9QaZ…',
    }),
  })
  .meta({ id: 'CreatedApiKey' });

export const apiKeyValidation = z
  .union([
    z.object({
      valid: z.literal(true),
      keyId: idSchema,
      name: z.string(),
      organizationId: idSchema,
      scopes: z.array(scopeSchema),
      expiresAt: timestampSchema.nullable(),
      status: z.literal('active'),
    }),
    z.object({ valid: z.literal(false) }),
  ])
  .meta({ id: 'ApiKeyValidation' });

export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;
export type UpdateApiKeyInput = z.infer<typeof updateApiKeyInput>;
export type ApiKey = z.infer<typeof apiKey>;
export type CreatedApiKey = z.infer<typeof createdApiKey>;
