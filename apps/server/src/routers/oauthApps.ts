import { createdOAuthApp, createOAuthAppInput } from '@timbrix/shared/schemas';
import { PLATFORM_SCOPES } from '@timbrix/shared/scopes';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { ClientSecret, OAuthApp, User } from '../db/entities/index.js';
import { newClientId, newClientSecret } from '../oauth/credentials.js';
import { orgProcedure, requirePermission, router } from '../trpc.js';

const ONLY_ADMINS = 'Only owners and admins can create OAuth applications.';

export const oauthAppsRouter = router({
  create: orgProcedure
    .use(requirePermission('oauthApps:manage', ONLY_ADMINS))
    .meta({
      openapi: {
        method: 'POST',
        path: '/oauth/apps',
        tags: ['oauth'],
        summary: 'Create a new OAuth application',
        description:
          '⚠️ SECURITY: Creates an OAuth2 application. Only OWNERS and ADMINS can create OAuth apps. Returns client secret ONCE - store it securely! The organization is the one named by the X-Organization-Id header, or the caller’s only organization.',
        requestHeaders: z.object({
          'X-Organization-Id': z.uuid().optional().meta({
            description:
              'The organization to create the app in; may be left out by a member of exactly one organization.',
          }),
        }),
        successDescription:
          'OAuth application created successfully. Client secret returned only once - save it immediately!',
        errorResponses: {
          400: 'Invalid input data. Check validation errors.',
          401: 'Authentication required. Provide a valid bearer token.',
          403: 'Access denied. Only owners and admins can create OAuth applications.',
        },
      },
      successStatus: 201,
    })
    .input(createOAuthAppInput)
    .output(createdOAuthApp)
    .mutation(async ({ ctx, input }) => {
      const { organizationId } = ctx.membership;
      const userId = ctx.session.userId;

      // An app never carries more power than the person who registered it.
      if (input.scopes.some((scope) => PLATFORM_SCOPES.includes(scope))) {
        const user = await ctx.em.findOne(User, userId, { fields: ['isPlatformAdmin'] });
        if (!user?.isPlatformAdmin) {
          throw new TRPCError({
            code: 'FORBIDDEN',
            message: `Only platform administrators can grant ${PLATFORM_SCOPES.join(', ')}`,
          });
        }
      }

      const secret = await newClientSecret();
      const app = ctx.em.create(OAuthApp, {
        clientId: newClientId(),
        organization: organizationId,
        name: input.name,
        description: input.description || null,
        redirectUri: input.redirectUri ?? null,
        scopes: input.scopes,
        isActive: true,
        createdBy: userId,
      });
      ctx.em.create(ClientSecret, { app, secretHash: secret.hash, hint: secret.hint });
      await ctx.em.flush();

      return {
        clientId: app.clientId,
        clientSecret: secret.plaintext,
        name: app.name,
        description: app.description ?? null,
        redirectUri: app.redirectUri ?? null,
        scopes: app.scopes,
        isActive: app.isActive,
        createdAt: app.createdAt.toISOString(),
        organizationId,
      };
    }),
});
