import { z } from 'zod';
import { SCOPE_DESCRIPTIONS, type Scope, scopeSchema } from '../scopes.js';
import { absentIfBlank, idSchema, timestampSchema } from './common.js';
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

export const clientIdSchema = z
  .string()
  .regex(/^app_[0-9a-f]{16}$/)
  .meta({ example: 'app_1234567890abcdef' });

export const createdOAuthApp = z.object({
  clientId: clientIdSchema,
  clientSecret: z.string().meta({
    description: 'Shown only in this response: store it now, it cannot be retrieved later.',
  }),
  name: z.string(),
  description: z.string().nullable(),
  redirectUri: z.string().nullable(),
  scopes: z.array(scopeSchema),
  isActive: z.boolean(),
  createdAt: timestampSchema,
  organizationId: idSchema,
});

export type CreateOAuthAppInput = z.infer<typeof createOAuthAppInput>;
export type CreatedOAuthApp = z.infer<typeof createdOAuthApp>;
export type { Scope };
