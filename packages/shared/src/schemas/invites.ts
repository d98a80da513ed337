import { z } from 'zod';
import { invitableRoleSchema, roleSchema } from '../roles.js';
import { emailSchema, idSchema, timestampSchema } from './common.js';

export const createInviteInput = z.object({
  organizationId: idSchema,
  email: emailSchema,
  role: invitableRoleSchema,
});

export const invite = z.object({
  id: idSchema,
  email: z.string(),
  role: invitableRoleSchema,
  token: z.string().meta({ description: 'Hand this to the invitee; it is shown only once' }),
  expiresAt: timestampSchema,
});

export const acceptInviteInput = z.object({
  token: z.string({ error: 'token must be a string' }).min(1, 'token is required').max(200),
});

export const acceptedInvite = z.object({
  organizationId: idSchema,
  role: roleSchema,
});

export const invitationIdInput = z.object({ organizationId: idSchema, invitationId: idSchema });

/** A pending invitation as its organization's admins see it: never its token. */
export const pendingInvitation = z.object({
  id: idSchema,
  email: z.string(),
  role: invitableRoleSchema,
  invitedBy: idSchema
    .nullable()
    .meta({ description: 'The person who invited; null when an app did, or the account is gone' }),
  createdAt: timestampSchema,
  expiresAt: timestampSchema,
});

export type CreateInviteInput = z.infer<typeof createInviteInput>;
