import { z } from 'zod';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** The owner is made at creation; invitations hand out only these. */
export const INVITABLE_ROLES = ['admin', 'member'] as const satisfies readonly Role[];
export type InvitableRole = (typeof INVITABLE_ROLES)[number];
export const invitableRoleSchema = z.enum(INVITABLE_ROLES, {
  error: () => `role must be one of: ${INVITABLE_ROLES.join(', ')}`,
});
