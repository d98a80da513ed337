import { z } from 'zod';
import { passwordSchema } from './auth.js';
import { idSchema } from './common.js';
import { organizationMembership } from './organizations.js';

export const currentUser = z.object({
  id: idSchema,
  email: z.string(),
  name: z.string().nullable(),
  isPlatformAdmin: z.boolean(),
  organizations: z.array(organizationMembership),
});

/** A person as those who share an organization with them see them. */
export const user = z.object({
  id: idSchema,
  email: z.string(),
  name: z.string().nullable(),
});

export const userIdInput = z.object({ userId: idSchema });

export const updateMeInput = z
  .object({
    name: z
      .string({ error: 'name must be a string or null' })
      .trim()
      .max(100, 'name must be at most 100 characters')
      .nullable()
      .optional()
      .meta({ description: '`null` or "" clears it' }),
    currentPassword: z.string({ error: 'currentPassword must be a string' }).max(1024).optional(),
    newPassword: passwordSchema.optional(),
  })
  .refine((input) => (input.newPassword === undefined) === (input.currentPassword === undefined), {
    message: 'send currentPassword and newPassword together to change the password',
    path: ['currentPassword'],
  });

export type UpdateMeInput = z.infer<typeof updateMeInput>;
