import { currentUser } from '@timbrix/shared/schemas';
import { z } from 'zod';
import { ApiError } from '../../errors/codes.js';
import { AUTHED_ERRORS, authedProcedure, operation, router } from '../../trpc.js';

export const usersRouter = router({
  me: authedProcedure
    .meta(
      operation(
        {
          method: 'GET',
          path: '/users/me',
          tags: ['users'],
          summary: 'The signed-in user and their organizations',
        },
        [...AUTHED_ERRORS, 'ACCOUNT_GONE'],
      ),
    )
    .input(z.void())
    .output(currentUser)
    .query(async ({ ctx }) => {
      const userId = ctx.principal.userId;
      const [user, memberships] = await Promise.all([
        ctx.db.users.byId(userId),
        ctx.db.memberships.ofUser(userId),
      ]);
      // A valid token for an account that has since been removed.
      if (!user) throw new ApiError('ACCOUNT_GONE');
      return {
        id: user.id,
        email: user.email,
        name: user.name ?? null,
        isPlatformAdmin: user.isPlatformAdmin,
        organizations: memberships.map(({ organization, role }) => ({
          id: organization.id,
          name: organization.name,
          slug: organization.slug,
          role,
        })),
      };
    }),
});
