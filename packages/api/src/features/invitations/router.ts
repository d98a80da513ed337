import {
  acceptedInvite,
  acceptInviteInput,
  createInviteInput,
  invitationIdInput,
  invite,
  organizationIdInput,
  pendingInvitation,
} from '@timbrix/shared/schemas';
import { z } from 'zod';
import { personOf } from '../../context.js';
import { ApiError } from '../../errors/codes.js';
import { mayBeSecret, newSecret, sha256 } from '../../lib/secrets.js';
import { holdFor } from '../../standing.js';
import {
  AUTHED_ERRORS,
  allowedTo,
  ORG_ERRORS,
  operation,
  orgByIdProcedure,
  requirePermission,
  router,
  SCOPED_ERRORS,
  sessionOf,
} from '../../trpc.js';

const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** Owners and admins of the organization in the path: who may invite into it. */
const inviters = orgByIdProcedure.use(requirePermission('members:manage', 'ONLY_ADMINS_INVITE'));
/** Who may see and cancel the organization's pending invitations. */
const invitationReaders = orgByIdProcedure.use(
  requirePermission('invitations:read', 'ONLY_ADMINS_MANAGE_MEMBERS'),
);
const invitationManagers = orgByIdProcedure.use(
  requirePermission('members:manage', 'ONLY_ADMINS_MANAGE_MEMBERS'),
);

export const invitationsRouter = router({
  create: inviters
    .meta(
      operation(
        {
          method: 'POST',
          path: '/organizations/{organizationId}/members/invite',
          tags: ['organizations'],
          summary: 'Invite someone by email; the response carries the token they accept with',
          description: 'Inviting an address again replaces its pending invitation.',
          action: 'members:manage',
        },
        [
          ...ORG_ERRORS,
          ...SCOPED_ERRORS,
          'ONLY_ADMINS_INVITE',
          'INVALID_INPUT',
          'ALREADY_MEMBER',
          'INVITATION_RACE',
        ],
        201,
      ),
    )
    .input(createInviteInput)
    .output(invite)
    .mutation(async ({ ctx, input }) => {
      const { organizationId } = ctx.standing;
      if (await ctx.db.memberships.hasMemberWithEmail(organizationId, input.email)) {
        throw new ApiError('ALREADY_MEMBER');
      }
      const token = newSecret('invitation');
      const invitation = await ctx.db.invitations.create(
        {
          organizationId,
          email: input.email,
          role: input.role,
          tokenHash: sha256(token),
          invitedBy: personOf(ctx.principal),
          expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        },
        holdFor(ctx.standing, 'members:manage'),
      );
      return {
        id: invitation.id,
        email: invitation.email,
        role: invitation.role,
        token,
        expiresAt: invitation.expiresAt.toISOString(),
      };
    }),

  list: invitationReaders
    .meta(
      operation(
        {
          method: 'GET',
          path: '/organizations/{organizationId}/invitations',
          tags: ['organizations'],
          summary: 'The organization’s pending invitations, newest first (never their tokens)',
          action: 'invitations:read',
        },
        [...ORG_ERRORS, ...SCOPED_ERRORS, 'ONLY_ADMINS_MANAGE_MEMBERS', 'INVALID_INPUT'],
      ),
    )
    .input(organizationIdInput)
    .output(z.array(pendingInvitation))
    .query(async ({ ctx }) => {
      const pending = await ctx.db.invitations.pendingOf(ctx.standing.organizationId);
      return pending.map((invitation) => ({
        id: invitation.id,
        email: invitation.email,
        role: invitation.role,
        invitedBy: invitation.invitedBy?.id ?? null,
        createdAt: invitation.createdAt.toISOString(),
        expiresAt: invitation.expiresAt.toISOString(),
      }));
    }),

  cancel: invitationManagers
    .meta(
      operation(
        {
          method: 'DELETE',
          path: '/organizations/{organizationId}/invitations/{invitationId}',
          tags: ['organizations'],
          summary: 'Cancel a pending invitation: its token stops working',
          successDescription: 'Cancelled',
          action: 'members:manage',
        },
        [
          ...ORG_ERRORS,
          ...SCOPED_ERRORS,
          'ONLY_ADMINS_MANAGE_MEMBERS',
          'INVALID_INPUT',
          'INVITATION_NOT_FOUND',
        ],
        204,
      ),
    )
    .input(invitationIdInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const { organizationId } = ctx.standing;
      const hold = holdFor(ctx.standing, 'members:manage');
      if (!(await ctx.db.invitations.cancel(organizationId, input.invitationId, hold))) {
        throw new ApiError('INVITATION_NOT_FOUND');
      }
    }),

  accept: allowedTo('invitations:accept')
    .meta(
      operation(
        {
          method: 'POST',
          path: '/invites/accept',
          tags: ['organizations'],
          summary: 'Join an organization with an invitation token',
          action: 'invitations:accept',
        },
        [
          ...AUTHED_ERRORS,
          'SESSION_REQUIRED',
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
      const user = await ctx.db.users.byId(sessionOf(ctx.principal).userId);
      if (!user) throw new ApiError('ACCOUNT_GONE');
      if (user.email !== invitation.email) throw new ApiError('INVITATION_FOR_ANOTHER');
      await ctx.db.invitations.accept(invitation, user.id);
      return { organizationId: invitation.organization.id, role: invitation.role };
    }),
});
