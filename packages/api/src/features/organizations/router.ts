import {
  createOrganizationInput,
  organization,
  organizationIdInput,
  updateOrganizationInput,
} from '@timbrix/shared/schemas';
import { z } from 'zod';
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
import { organizationView } from './view.js';

export const organizationsRouter = router({
  create: allowedTo('organizations:create')
    .meta(
      operation(
        {
          method: 'POST',
          path: '/organizations',
          tags: ['organizations'],
          summary: 'Create an organization; the caller becomes its owner',
          action: 'organizations:create',
        },
        [...AUTHED_ERRORS, 'SESSION_REQUIRED', 'INVALID_INPUT', 'SLUG_TAKEN', 'RATE_LIMITED'],
        201,
        ['RateLimit'],
      ),
    )
    .input(createOrganizationInput)
    .output(organization)
    .mutation(async ({ ctx, input }) => {
      // Limits per organization (app creation) mean nothing if organizations are free.
      const { limits } = ctx.services;
      const { userId } = sessionOf(ctx.principal);
      const rate = await limits.consume(limits.rules.organizationsPerUser, userId);
      if (rate) Object.assign(ctx.response.headers, rate);
      const created = await ctx.db.organizations.create(
        { name: input.name, slug: input.slug, logo: input.logo ?? null },
        userId,
      );
      return organizationView(created);
    }),

  byId: orgByIdProcedure
    .use(requirePermission('organization:read', 'NOT_A_MEMBER'))
    .meta(
      operation(
        {
          method: 'GET',
          path: '/organizations/{organizationId}',
          tags: ['organizations'],
          summary: 'One organization the caller belongs to',
          action: 'organization:read',
        },
        [...ORG_ERRORS, ...SCOPED_ERRORS, 'INVALID_INPUT'],
      ),
    )
    .input(organizationIdInput)
    .output(organization)
    .query(async ({ ctx }) =>
      organizationView(await ctx.db.organizations.byId(ctx.standing.organizationId)),
    ),

  update: orgByIdProcedure
    .use(requirePermission('organization:update', 'ONLY_OWNER'))
    .meta(
      operation(
        {
          method: 'PUT',
          path: '/organizations/{organizationId}',
          tags: ['organizations'],
          summary: 'Rename the organization or change its logo (owner only)',
          description:
            'Absent fields stay as they are; `logo: null` clears the logo. The slug never changes: sending one is refused.',
          action: 'organization:update',
        },
        [...ORG_ERRORS, ...SCOPED_ERRORS, 'ONLY_OWNER', 'INVALID_INPUT'],
      ),
    )
    .input(updateOrganizationInput)
    .output(organization)
    .mutation(async ({ ctx, input }) => {
      const updated = await ctx.db.organizations.update(ctx.standing.organizationId, {
        name: input.name,
        logo: input.logo,
      });
      return organizationView(updated);
    }),

  delete: orgByIdProcedure
    .use(requirePermission('organization:delete', 'ONLY_OWNER'))
    .meta(
      operation(
        {
          method: 'DELETE',
          path: '/organizations/{organizationId}',
          tags: ['organizations'],
          summary: 'Delete the organization and everything in it (owner, signed in)',
          description:
            'Memberships, invitations, OAuth apps, their secrets and tokens go with it, in one transaction: the apps’ tokens stop working at once.',
          successDescription: 'Deleted',
          action: 'organization:delete',
        },
        [...ORG_ERRORS, 'SESSION_REQUIRED', 'ONLY_OWNER', 'INVALID_INPUT'],
        204,
      ),
    )
    .input(organizationIdInput)
    .output(z.void())
    .mutation(async ({ ctx }) => {
      await ctx.db.organizations.delete(ctx.standing.organizationId);
    }),
});
