import { currentUser } from '@timbrix/shared/schemas';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { Membership, User } from '../db/entities/index.js';
import { authedProcedure, router } from '../trpc.js';

export const usersRouter = router({
  me: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/users/me',
        tags: ['users'],
        summary: 'The signed-in user and their organizations',
        errorResponses: { 401: 'Authentication required' },
      },
    })
    .input(z.void())
    .output(currentUser)
    .query(async ({ ctx }) => {
      const userId = ctx.session.userId;
      const [user, memberships] = await Promise.all([
        ctx.em.findOne(User, userId),
        ctx.em.find(
          Membership,
          { user: userId },
          { populate: ['organization'], orderBy: { createdAt: 'asc' } },
        ),
      ]);
      // A valid token for an account that has since been removed.
      if (!user)
        throw new TRPCError({ code: 'UNAUTHORIZED', message: 'This account no longer exists' });
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
