import { z } from 'zod';
import { invitableRoleSchema, roleSchema } from '../roles.js';
import { absentIfBlank, idSchema, pageLimitSchema, timestampSchema } from './common.js';

export const slugSchema = z
  .string({ error: 'slug must be a string' })
  .min(3, 'slug must be at least 3 characters')
  .max(50, 'slug must be at most 50 characters')
  .regex(/^[a-z0-9-]+$/, 'slug may contain only lowercase letters, digits and hyphens');

export const logoSchema = z
  .string({ error: 'logo must be a string' })
  .max(2048, 'logo must be at most 2048 characters')
  .refine((value) => URL.canParse(value) && new URL(value).protocol === 'https:', {
    message: 'logo must be an https URL',
  });

export const organizationNameSchema = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(3, 'name must be at least 3 characters')
  .max(100, 'name must be at most 100 characters');

export const createOrganizationInput = z.object({
  name: organizationNameSchema,
  slug: slugSchema,
  logo: z.preprocess(absentIfBlank, logoSchema.optional()),
});

/** The path parameter of every route in one organization. */
export const organizationIdInput = z.object({ organizationId: idSchema });

export const updateOrganizationInput = z.object({
  organizationId: idSchema,
  name: organizationNameSchema.optional(),
  logo: z
    .preprocess((value) => (value === '' ? null : value), logoSchema.nullable().optional())
    .meta({ description: 'An https URL; `null` (or "") clears it' }),
  // Links and integrations name organizations by slug: it never changes.
  slug: z
    .never({ error: 'slug cannot be changed: it is fixed when the organization is created' })
    .optional(),
});

/** The plans an organization can be on; every one is `free` until billing exists. */
export const PLANS = ['free'] as const;

export const organization = z.object({
  id: idSchema,
  name: z.string(),
  slug: z.string(),
  logo: z.string().nullable(),
  plan: z.enum(PLANS),
  ownerId: idSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
});

export const organizationMembership = z.object({
  id: idSchema,
  name: z.string(),
  slug: z.string(),
  role: roleSchema,
});

/** An organization someone belongs to, with their role in it: what a switcher shows. */
export const joinedOrganization = organizationMembership.extend({
  joinedAt: timestampSchema,
});

export const memberIdInput = z.object({ organizationId: idSchema, memberId: idSchema });

export const listMembersInput = z.object({
  organizationId: idSchema,
  limit: pageLimitSchema,
  after: z
    .string()
    .max(64)
    .optional()
    .meta({ description: 'A member id from the previous page: lists the members after it' }),
});

export const changeRoleInput = memberIdInput.extend({ role: invitableRoleSchema });

export const member = z.object({
  id: idSchema.meta({ description: 'The membership’s id (the `memberId` of member routes)' }),
  role: roleSchema,
  joinedAt: timestampSchema,
  user: z.object({ id: idSchema, email: z.string(), name: z.string().nullable() }),
});

export type CreateOrganizationInput = z.infer<typeof createOrganizationInput>;
export type UpdateOrganizationInput = z.infer<typeof updateOrganizationInput>;
