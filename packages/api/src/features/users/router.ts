import {
  currentUser,
  joinedOrganization,
  updateMeInput,
  user,
  userIdInput,
} from '@timbrix/shared/schemas';
import { z } from 'zod';
import { type Caller, type Context, personOf } from '../../context.js';
import { ApiError } from '../../errors/codes.js';
import { reachesEveryOrganization } from '../../standing.js';
import {
  AUTHED_ERRORS,
  allowedTo,
  operation,
  requireAllowed,
  router,
  SCOPED_ERRORS,
  sessionOf,
} from '../../trpc.js';
import type { JoinedRow } from '../organizations/repository.js';

const ACCOUNT_ERRORS = [...AUTHED_ERRORS, ...SCOPED_ERRORS, 'PERSON_REQUIRED' as const];

const joinedView = (row: JoinedRow) => ({
  id: row.id,
  name: row.name,
  slug: row.slug,
  role: row.role,
  joinedAt: new Date(row.joined_at).toISOString(),
});

/** The signed-in person's own account, as `GET /users/me` shows it. */
async function me(ctx: Context, userId: string) {
  const [account, memberships] = await Promise.all([
    ctx.db.users.byId(userId),
    ctx.db.memberships.ofUser(userId),
  ]);
  // A valid token for an account that has since been removed.
  if (!account) throw new ApiError('ACCOUNT_GONE');
  return {
    id: account.id,
    email: account.email,
    name: account.name ?? null,
    isPlatformAdmin: account.isPlatformAdmin,
    organizations: memberships.map(({ organization, role }) => ({
      id: organization.id,
      name: organization.name,
      slug: organization.slug,
      role,
    })),
  };
}

/**
 * Whether `caller` may see the person `userId`: themselves; someone who shares an organization
 * with a person calling with a session; a member of its app's organization for a token, a
 * person's or an app's (anyone, for an app's token that reaches every organization).
 */
async function sees(ctx: Context, caller: Caller, userId: string): Promise<boolean> {
  const person = personOf(caller);
  // The database keeps ids lower-case; a UUID may come in either case.
  if (person && userId.toLowerCase() === person) return true;
  if (caller.kind === 'session') return ctx.db.users.shareAnOrganization(userId, caller.userId);
  // Everyone there is; whether anyone is, the one read in `visibleUser` says.
  if (reachesEveryOrganization(caller)) return true;
  return (await ctx.db.memberships.of(userId, caller.organizationId)) !== undefined;
}

/** A person the caller may see, or 404 exactly as if there were none. */
async function visibleUser(ctx: Context & { principal: Caller }, userId: string) {
  const found = (await sees(ctx, ctx.principal, userId)) ? await ctx.db.users.byId(userId) : null;
  if (!found) throw new ApiError('USER_NOT_FOUND');
  return found;
}

export const usersRouter = router({
  me: allowedTo('account:read')
    .meta(
      operation(
        {
          method: 'GET',
          path: '/users/me',
          tags: ['users'],
          summary: 'The signed-in person and their organizations',
          action: 'account:read',
        },
        [...ACCOUNT_ERRORS, 'ACCOUNT_GONE'],
      ),
    )
    .input(z.void())
    .output(currentUser)
    .query(({ ctx }) => me(ctx, personOf(ctx.principal)!)),

  myOrganizations: allowedTo('account:read')
    .meta(
      operation(
        {
          method: 'GET',
          path: '/users/me/organizations',
          tags: ['users'],
          summary: 'The organizations the signed-in person belongs to, with their role',
          description: 'Oldest membership first: what an organization switcher shows.',
          action: 'account:read',
        },
        ACCOUNT_ERRORS,
      ),
    )
    .input(z.void())
    .output(z.array(joinedOrganization))
    .query(async ({ ctx }) =>
      (await ctx.db.organizations.joinedBy(personOf(ctx.principal)!)).map(joinedView),
    ),

  updateMe: allowedTo('account:update')
    .meta(
      operation(
        {
          method: 'PATCH',
          path: '/users/me',
          tags: ['users'],
          summary: 'Change your name, or your password',
          description:
            'A password change needs `currentPassword` and a session (never an access token), and ends every other session of the account; failed attempts count against the sign-in limits.',
          action: 'account:update',
        },
        [
          ...ACCOUNT_ERRORS,
          'SESSION_REQUIRED',
          'INVALID_INPUT',
          'WRONG_CURRENT_PASSWORD',
          'ACCOUNT_GONE',
          'RATE_LIMITED',
        ],
      ),
    )
    .input(updateMeInput)
    .output(currentUser)
    .mutation(async ({ ctx, input }) => {
      const userId = personOf(ctx.principal)!;
      if (input.currentPassword !== undefined && input.newPassword !== undefined) {
        requireAllowed(ctx.principal, 'account:secure', undefined, 'SESSION_REQUIRED');
        const { sessionId } = sessionOf(ctx.principal);
        const { hasher, limits } = ctx.services;
        const attempt = await limits.attempt(
          [limits.rules.loginFailuresPerIp, ctx.ip],
          [limits.rules.loginFailuresPerAccountIp, userId, ctx.ip],
        );
        const hash = await ctx.db.users.passwordHash(userId);
        if (!hash) throw new ApiError('ACCOUNT_GONE');
        if (!(await hasher.verify(hash, input.currentPassword))) {
          throw new ApiError('WRONG_CURRENT_PASSWORD');
        }
        await attempt.succeeded();
        const newHash = await hasher.hash(input.newPassword);
        await ctx.db.users.changePassword(userId, newHash, sessionId);
      }
      if (input.name !== undefined) await ctx.db.users.rename(userId, input.name || null);
      return me(ctx, userId);
    }),

  byId: allowedTo('users:read')
    .meta(
      operation(
        {
          method: 'GET',
          path: '/users/{userId}',
          tags: ['users'],
          summary: 'A person who shares an organization with the caller',
          action: 'users:read',
        },
        [...AUTHED_ERRORS, ...SCOPED_ERRORS, 'INVALID_INPUT', 'USER_NOT_FOUND'],
      ),
    )
    .input(userIdInput)
    .output(user)
    .query(async ({ ctx, input }) => {
      const found = await visibleUser(ctx, input.userId);
      return { id: found.id, email: found.email, name: found.name ?? null };
    }),

  organizationsOf: allowedTo('users:readOrganizations')
    .meta(
      operation(
        {
          method: 'GET',
          path: '/users/{userId}/organizations',
          tags: ['users'],
          summary: 'The organizations a person shares with the caller, with their role in each',
          action: 'users:readOrganizations',
        },
        [...AUTHED_ERRORS, ...SCOPED_ERRORS, 'INVALID_INPUT', 'USER_NOT_FOUND'],
      ),
    )
    .input(userIdInput)
    .output(z.array(joinedOrganization))
    .query(async ({ ctx, input }) => {
      const caller = ctx.principal;
      await visibleUser(ctx, input.userId);
      const person = personOf(caller);
      const joined = await ctx.db.organizations.joinedBy(input.userId, person);
      // A token shares its app's organization (an app's: every one, with a scope reaching all).
      const shared =
        caller.kind === 'session' || reachesEveryOrganization(caller)
          ? joined
          : joined.filter((row) => row.id === caller.organizationId);
      return shared.map(joinedView);
    }),
});
