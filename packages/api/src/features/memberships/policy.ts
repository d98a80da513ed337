import type { Role } from '@timbrix/shared/roles';
import { type Caller, personOf } from '../../context.js';
import { ApiError } from '../../errors/codes.js';
import type { Standing } from '../../standing.js';
import { allows, requireAllowed } from '../../trpc.js';
import type { LockedMembership, MembershipChange } from './repository.js';

/**
 * The caller's role as it stands now, read under the same lock as the target's: a person's
 * own membership row (gone if they were removed meanwhile); an app's token keeps its standing.
 */
function roleNow(standing: Standing, actor: LockedMembership | undefined): Role {
  if (standing.membershipId === null) return standing.role;
  if (!actor) throw new ApiError('NOT_A_MEMBER');
  return actor.role;
}

/** The owner is fixed; an admin is the owner's to change. */
function requireMayChange(role: Role, target: LockedMembership) {
  if (target.role === 'owner') throw new ApiError('OWNER_IS_FIXED');
  if (target.role === 'admin' && role !== 'owner') throw new ApiError('ONLY_OWNER_MANAGES_ADMINS');
}

/** Decides a role change of `target` by `caller`, both as they stand under lock. */
export const roleChange =
  (caller: Caller, standing: Standing, role: Role) =>
  (target: LockedMembership, actor: LockedMembership | undefined): MembershipChange => {
    const now = roleNow(standing, actor);
    requireAllowed(caller, 'members:manage', now, 'ONLY_ADMINS_MANAGE_MEMBERS');
    requireMayChange(now, target);
    return { role };
  };

/** Decides the removal of `target` by `caller`: someone else's, or the caller leaving. */
export const removal =
  (caller: Caller, standing: Standing) =>
  (target: LockedMembership, actor: LockedMembership | undefined): MembershipChange => {
    const now = roleNow(standing, actor);
    if (target.user_id === personOf(caller)) {
      requireAllowed(caller, 'members:leave', now, 'OWNER_IS_FIXED');
    } else {
      requireAllowed(caller, 'members:manage', now, 'ONLY_ADMINS_MANAGE_MEMBERS');
      requireMayChange(now, target);
    }
    return 'remove';
  };

/**
 * Before the input is read: refuses a caller who could neither remove anyone nor leave (an
 * access token with neither scope), so that the check order stays 401, 403, then 400.
 */
export function requireMayRemoveSomeone(caller: Caller, standing: Standing) {
  if (allows(caller, 'members:leave', standing.role)) return;
  requireAllowed(caller, 'members:manage', standing.role, 'ONLY_ADMINS_MANAGE_MEMBERS');
}
