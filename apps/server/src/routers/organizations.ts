import {
  createInviteInput,
  createOrganizationInput,
  invite,
  organization,
} from '@timbrix/shared/schemas';
import { TRPCError } from '@trpc/server';
import { Invitation, Membership, Organization, User } from '../db/entities/index.js';
import { newSecret, sha256 } from '../lib/secrets.js';
import { authedProcedure, orgByIdProcedure, requirePermission, router } from '../trpc.js';

const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const organizationsRouter = router({
  create: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/organizations',
        tags: ['organizations'],
        summary: 'Create an organization; the caller becomes its owner',
        errorResponses: {
          400: 'Invalid input data',
          401: 'Authentication required',
          409: 'This slug is already taken',
          429: 'Too many organizations created by this account; see Retry-After',
        },
      },
      successStatus: 201,
    })
    .input(createOrganizationInput)
    .output(organization)
    .mutation(async ({ ctx, input }) => {
      // Limits per organization (app creation) mean nothing if organizations are free.
      const { limits } = ctx.services;
      const rate = await limits.consume(limits.rules.organizationsPerUser, ctx.session.userId);
      if (rate) ctx.res.set(rate);
      const owner = ctx.em.getReference(User, ctx.session.userId);
      const created = ctx.em.create(Organization, {
        name: input.name,
        slug: input.slug,
        logo: input.logo ?? null,
        owner,
      });
      ctx.em.create(Membership, { organization: created, user: owner, role: 'owner' });
      await ctx.em.flush();
      return {
        id: created.id,
        name: created.name,
        slug: created.slug,
        logo: created.logo ?? null,
        ownerId: owner.id,
        createdAt: created.createdAt.toISOString(),
        updatedAt: created.updatedAt.toISOString(),
      };
    }),

  invite: orgByIdProcedure
    .use(requirePermission('members:manage', 'Only owners and admins can invite members'))
    .meta({
      openapi: {
        method: 'POST',
        path: '/organizations/{organizationId}/members/invite',
        tags: ['organizations'],
        summary: 'Invite someone by email; the response carries the token they accept with',
        errorResponses: {
          400: 'Invalid input data',
          401: 'Authentication required',
          403: 'Only owners and admins can invite members',
          409: 'This person is already a member',
        },
      },
      successStatus: 201,
    })
    .input(createInviteInput)
    .output(invite)
    .mutation(async ({ ctx, input }) => {
      const { organizationId } = ctx.membership;
      const alreadyMember = await ctx.em.count(Membership, {
        organization: organizationId,
        user: { email: input.email },
      });
      if (alreadyMember) {
        throw new TRPCError({
          code: 'CONFLICT',
          message: 'This person is already a member of the organization',
        });
      }

      const token = newSecret('invitation');
      const invitation = await ctx.em.transactional(async (em) => {
        // A new invitation replaces the pending one for the same address.
        await em.nativeDelete(Invitation, {
          organization: organizationId,
          email: input.email,
          acceptedAt: null,
        });
        return em.create(Invitation, {
          organization: organizationId,
          email: input.email,
          role: input.role,
          tokenHash: sha256(token),
          invitedBy: ctx.session.userId,
          expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        });
      });
      return {
        id: invitation.id,
        email: invitation.email,
        role: invitation.role,
        token,
        expiresAt: invitation.expiresAt.toISOString(),
      };
    }),
});
