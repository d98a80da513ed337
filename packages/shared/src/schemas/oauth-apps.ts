import { z } from 'zod';
import { SCOPE_DESCRIPTIONS, type Scope, scopeSchema } from '../scopes.js';
import { absentIfBlank, idSchema, pageLimitSchema, strict, timestampSchema } from './common.js';
import { redirectUriSchema } from './redirect-uri.js';

export const appNameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, 'name must not be empty')
  .max(100, 'name must be at most 100 characters')
  .meta({ description: 'Application name', example: 'My Integration' });

export const appDescriptionSchema = z
  .string({ error: 'description must be a string' })
  .trim()
  .max(500, 'description must be at most 500 characters')
  .meta({
    description: 'Application description',
    example: 'Integration for managing organization data',
  });

export const appScopesSchema = z
  .array(scopeSchema, { error: 'scopes must be an array of scopes' })
  .min(1, 'scopes must contain at least one scope')
  .max(10, 'scopes must contain at most 10 scopes')
  .refine((scopes) => new Set(scopes).size === scopes.length, {
    message: 'scopes must not contain duplicates',
  })
  .meta({
    description: `OAuth scopes requested. ${Object.entries(SCOPE_DESCRIPTIONS)
      .map(([scope, text]) => `\`${scope}\`: ${text}`)
      .join('; ')}.`,
    example: ['read:organization', 'write:organization'],
  });

/** The seed documentation's `CreateOAuthAppDto`, with the stricter rules we enforce. */
export const createOAuthAppInput = z
  .object({
    name: appNameSchema,
    description: z.preprocess(absentIfBlank, appDescriptionSchema.optional()),
    redirectUri: z.preprocess(absentIfBlank, redirectUriSchema.optional()),
    scopes: appScopesSchema,
  })
  .meta({ id: 'CreateOAuthAppDto' });

/** `app_` + 16 lowercase hex digits (64 random bits): every client id, and only those. */
export const CLIENT_ID_PATTERN = /^app_[0-9a-f]{16}$/;

export const clientIdSchema = z
  .string()
  .regex(CLIENT_ID_PATTERN)
  .meta({ example: 'app_1234567890abcdef' });

/** What every answer about an app says, in the seed documentation's order. */
const appFields = {
  name: z.string(),
  description: z.string().nullable(),
  redirectUri: z.string().nullable(),
  scopes: z.array(scopeSchema),
  isActive: z.boolean(),
  createdAt: timestampSchema,
};

export const createdOAuthApp = z.object({
  clientId: clientIdSchema,
  clientSecret: z.string().meta({
    description: 'Shown only in this response: store it now, it cannot be retrieved later.',
  }),
  ...appFields,
  organizationId: idSchema,
});

export type CreateOAuthAppInput = z.infer<typeof createOAuthAppInput>;
export type CreatedOAuthApp = z.infer<typeof createdOAuthApp>;
export type { Scope };

/** A field that `null` (or `""`) clears and absence leaves unchanged. */
const clearable = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? null : value), schema.nullable().optional());

const clientIdParam = z.string().max(64).meta({ example: 'app_1234567890abcdef' });

export const appByIdInput = z.object({ clientId: clientIdParam });

export const updateOAuthAppInput = z.object({
  clientId: clientIdParam,
  name: appNameSchema.optional(),
  description: clearable(appDescriptionSchema),
  redirectUri: clearable(redirectUriSchema),
  scopes: appScopesSchema.optional(),
  isActive: strict(z.boolean({ error: 'isActive must be true or false' })).optional(),
  isPlatformResourceServer: strict(
    z.boolean({ error: 'isPlatformResourceServer must be true or false' }),
  )
    .optional()
    .meta({
      description:
        'A resource server of the platform: its client may introspect the tokens of every organization. Only a platform administrator may set it.',
    }),
});

export const oauthApp = z.object({
  clientId: clientIdSchema,
  ...appFields,
  isPlatformResourceServer: z.boolean(),
  updatedAt: timestampSchema,
});

export const listOAuthAppsInput = z.object({
  organizationId: idSchema,
  limit: pageLimitSchema,
  after: z
    .string()
    .max(64)
    .optional()
    .meta({ description: 'A clientId from the previous page: lists the apps older than it' }),
});

export const rotateSecretInput = z.object({
  clientId: clientIdParam,
  graceSeconds: strict(
    z
      .number({ error: 'graceSeconds must be a number' })
      .int('graceSeconds must be a whole number')
      .min(0, 'graceSeconds must be at least 0')
      .max(604800, 'graceSeconds must be at most 604800 (7 days)'),
  )
    .optional()
    .meta({ description: 'How long the previous secret keeps working (default 86400)' }),
});

export const rotatedSecret = z.object({
  clientId: clientIdSchema,
  clientSecret: z.string().meta({ description: 'Shown only in this response' }),
  previousSecretExpiresAt: timestampSchema
    .nullable()
    .meta({ description: 'Until when the previous secret still works; null when there was none' }),
});

export const accessTokenSummary = z.object({
  id: z.string().meta({ description: 'The token’s jti' }),
  userId: idSchema
    .nullable()
    .meta({ description: 'The person who authorized it; null for the app’s own tokens' }),
  scopes: z.array(scopeSchema),
  expiresAt: timestampSchema,
  createdAt: timestampSchema,
  lastUsedAt: timestampSchema.nullable(),
});

export const revokeTokenInput = z.object({ tokenId: z.string().max(64) });

export type UpdateOAuthAppInput = z.infer<typeof updateOAuthAppInput>;
export type OAuthAppView = z.infer<typeof oauthApp>;
