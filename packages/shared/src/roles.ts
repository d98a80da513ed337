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

export type Action =
  | 'organization:read'
  | 'organization:update'
  | 'organization:delete'
  | 'members:read'
  | 'members:manage'
  | 'oauthApps:manage';

/** What each role may do inside its organization: the one table every check reads. */
export const ROLE_PERMISSIONS = {
  owner: [
    'organization:read',
    'organization:update',
    'organization:delete',
    'members:read',
    'members:manage',
    'oauthApps:manage',
  ],
  admin: ['organization:read', 'members:read', 'members:manage', 'oauthApps:manage'],
  member: ['organization:read', 'members:read'],
} as const satisfies Record<Role, readonly Action[]>;

export function can(role: Role, action: Action): boolean {
  return (ROLE_PERMISSIONS[role] as readonly Action[]).includes(action);
}
