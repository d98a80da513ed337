import { z } from 'zod';
import { roleSchema } from '../roles.js';
import { absentIfBlank, idSchema, timestampSchema } from './common.js';

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

export const createOrganizationInput = z.object({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(3, 'name must be at least 3 characters')
    .max(100, 'name must be at most 100 characters'),
  slug: slugSchema,
  logo: z.preprocess(absentIfBlank, logoSchema.optional()),
});

export const organization = z.object({
  id: idSchema,
  name: z.string(),
  slug: z.string(),
  logo: z.string().nullable(),
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

export type CreateOrganizationInput = z.infer<typeof createOrganizationInput>;
