import { createOrganizationInput, organization } from '@timbrix/shared/schemas';
import { AUTHED_ERRORS, authedProcedure, operation, router } from '../../trpc.js';

export const organizationsRouter = router({
  create: authedProcedure
    .meta(
      operation(
        {
          method: 'POST',
          path: '/organizations',
          tags: ['organizations'],
          summary: 'Create an organization; the caller becomes its owner',
        },
        [...AUTHED_ERRORS, 'INVALID_INPUT', 'SLUG_TAKEN', 'RATE_LIMITED'],
        201,
        ['RateLimit'],
      ),
    )
    .input(createOrganizationInput)
    .output(organization)
    .mutation(async ({ ctx, input }) => {
      // Limits per organization (app creation) mean nothing if organizations are free.
      const { limits } = ctx.services;
      const userId = ctx.principal.userId;
      const rate = await limits.consume(limits.rules.organizationsPerUser, userId);
      if (rate) Object.assign(ctx.response.headers, rate);
      const created = await ctx.db.organizations.create(
        { name: input.name, slug: input.slug, logo: input.logo ?? null },
        userId,
      );
      return {
        id: created.id,
        name: created.name,
        slug: created.slug,
        logo: created.logo ?? null,
        ownerId: userId,
        createdAt: created.createdAt.toISOString(),
        updatedAt: created.updatedAt.toISOString(),
      };
    }),
});
