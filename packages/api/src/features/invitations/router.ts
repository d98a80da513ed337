import {
  acceptedInvite,
  acceptInviteInput,
  createInviteInput,
  invite,
} from '@timbrix/shared/schemas';
import { ApiError } from '../../errors/codes.js';
import { mayBeSecret, newSecret, sha256 } from '../../lib/secrets.js';
import {
  AUTHED_ERRORS,
  authedProcedure,
  ORG_ERRORS,
  operation,
  orgByIdProcedure,
  requirePermission,
  router,
} from '../../trpc.js';

const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Owners and admins of the organization in the path: who may invite into it. */
const inviters = orgByIdProcedure.use(requirePermission('members:manage', 'ONLY_ADMINS_INVITE'));

export const invitationsRouter = router({
  create: inviters
    .meta(
      operation(
        {
          method: 'POST',
          path: '/organizations/{organizationId}/members/invite',
          tags: ['organizations'],
          summary: 'Invite someone by email; the response carries the token they accept with',
        },
        [...ORG_ERRORS, 'ONLY_ADMINS_INVITE', 'INVALID_INPUT', 'ALREADY_MEMBER', 'INVITATION_RACE'],
        201,
      ),
    )
    .input(createInviteInput)
    .output(invite)
    .mutation(async ({ ctx, input }) => {
      const { organizationId } = ctx.membership;
      if (await ctx.db.memberships.hasMemberWithEmail(organizationId, input.email)) {
        throw new ApiError('ALREADY_MEMBER');
      }
      const token = newSecret('invitation');
      const invitation = await ctx.db.invitations.create({
        organizationId,
        email: input.email,
        role: input.role,
        tokenHash: sha256(token),
        invitedBy: ctx.principal.userId,
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
      });
      return {
        id: invitation.id,
        email: invitation.email,
        role: invitation.role,
        token,
        expiresAt: invitation.expiresAt.toISOString(),
      };
    }),

  accept: authedProcedure
    .meta(
      operation(
        {
          method: 'POST',
          path: '/invites/accept',
          tags: ['organizations'],
          summary: 'Join an organization with an invitation token',
        },
        [
          ...AUTHED_ERRORS,
          'INVALID_INPUT',
          'INVITATION_EXPIRED',
          'INVITATION_FOR_ANOTHER',
          'INVITATION_NOT_FOUND',
          'ALREADY_MEMBER',
        ],
      ),
    )
    .input(acceptInviteInput)
    .output(acceptedInvite)
    .mutation(async ({ ctx, input }) => {
      // A mistyped or made-up token is refused without a lookup.
      const invitation = mayBeSecret('invitation', input.token)
        ? await ctx.db.invitations.pending(sha256(input.token))
        : null;
      if (!invitation) throw new ApiError('INVITATION_NOT_FOUND');
      if (invitation.expiresAt.getTime() <= Date.now()) throw new ApiError('INVITATION_EXPIRED');
      const user = await ctx.db.users.byId(ctx.principal.userId);
      if (!user) throw new ApiError('ACCOUNT_GONE');
      if (user.email !== invitation.email) throw new ApiError('INVITATION_FOR_ANOTHER');
      await ctx.db.invitations.accept(invitation, user.id);
      return { organizationId: invitation.organization.id, role: invitation.role };
    }),
});
