import { acceptedInvite, acceptInviteInput } from '@timbrix/shared/schemas';
import { TRPCError } from '@trpc/server';
import { Invitation, Membership, User } from '../db/entities/index.js';
import { mayBeSecret, sha256 } from '../lib/secrets.js';
import { authedProcedure, router } from '../trpc.js';

export const invitesRouter = router({
  accept: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/invites/accept',
        tags: ['organizations'],
        summary: 'Join an organization with an invitation token',
        errorResponses: {
          400: 'Invalid input data, or the invitation has expired',
          401: 'Authentication required',
          403: 'The invitation names another email address',
          404: 'No such invitation, or it was already used',
          409: 'Already a member',
        },
      },
    })
    .input(acceptInviteInput)
    .output(acceptedInvite)
    .mutation(async ({ ctx, input }) => {
      // A mistyped or made-up token is refused without a lookup.
      const invitation = mayBeSecret('invitation', input.token)
        ? await ctx.em.findOne(Invitation, { tokenHash: sha256(input.token), acceptedAt: null })
        : null;
      if (!invitation) {
        throw new TRPCError({
          code: 'NOT_FOUND',
          message: 'This invitation does not exist or has already been used',
        });
      }
      if (invitation.expiresAt.getTime() <= Date.now()) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'This invitation has expired; ask for a new one',
        });
      }
      const user = await ctx.em.findOneOrFail(User, ctx.session.userId);
      if (user.email !== invitation.email) {
        throw new TRPCError({
          code: 'FORBIDDEN',
          message: 'This invitation is for another email address',
        });
      }

      await ctx.em.transactional(async (em) => {
        // Conditional, so that two accepts of one token cannot both succeed.
        const claimed = await em.nativeUpdate(
          Invitation,
          { id: invitation.id, acceptedAt: null },
          { acceptedAt: new Date() },
        );
        if (claimed !== 1) {
          throw new TRPCError({
            code: 'NOT_FOUND',
            message: 'This invitation has already been used',
          });
        }
        em.create(Membership, {
          organization: invitation.organization.id,
          user: user.id,
          role: invitation.role,
        });
      });
      return { organizationId: invitation.organization.id, role: invitation.role };
    }),
});
