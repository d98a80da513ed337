import { createdOAuthApp, createOAuthAppInput } from '@timbrix/shared/schemas';
import { z } from 'zod';
import { personOf } from '../../context.js';
import { ApiError } from '../../errors/codes.js';
import { holdFor } from '../../standing.js';
import { ORG_ERRORS, operation, orgProcedure, requirePermission } from '../../trpc.js';
import { newClientId, newClientSecret } from './credentials.js';
import { requireGrantable } from './policy.js';

/** Owners and admins of the organization the caller names: who may create apps there. */
const appCreators = orgProcedure.use(
  requirePermission('oauthApps:manage', 'ONLY_ADMINS_CREATE_APPS'),
);

/** `POST /api/oauth/apps`, the heart of the API: its contract is the seed documentation page. */
export const createApp = appCreators
  .meta(
    operation(
      {
        method: 'POST',
        path: '/oauth/apps',
        tags: ['oauth'],
        action: 'oauthApps:manage',
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
      },
      [
        ...ORG_ERRORS,
        'INVALID_INPUT',
        'SEVERAL_ORGANIZATIONS',
        'NO_ORGANIZATION',
        'ONLY_ADMINS_CREATE_APPS',
        'PLATFORM_SCOPE_NOT_GRANTABLE',
        'SCOPE_NOT_HELD',
        'INSUFFICIENT_SCOPE',
        'RATE_LIMITED',
      ],
      201,
      ['RateLimit'],
    ),
  )
  .input(createOAuthAppInput)
  .output(createdOAuthApp)
  .mutation(async ({ ctx, input }) => {
    const { organizationId } = ctx.standing;
    await requireGrantable(ctx, input.scopes);
    const { limits } = ctx.services;
    const rate = await limits.consume(limits.rules.appCreatesPerOrganization, organizationId);
    if (rate) Object.assign(ctx.response.headers, rate);

    const app = {
      clientId: newClientId(),
      organizationId,
      name: input.name,
      description: input.description || null,
      redirectUri: input.redirectUri ?? null,
      scopes: input.scopes,
      createdBy: personOf(ctx.principal),
      secret: await newClientSecret(ctx.services.hasher),
      hold: holdFor(ctx.standing, 'oauthApps:manage'),
    };
    const createdAt = await ctx.db.oauthApps.insert(app);
    // Removed or demoted while the secret was being hashed: the change that answered first wins.
    if (!createdAt) throw new ApiError('NOT_A_MEMBER');
    return {
      clientId: app.clientId,
      clientSecret: app.secret.plaintext,
      name: app.name,
      description: app.description,
      redirectUri: app.redirectUri,
      scopes: app.scopes,
      isActive: true,
      createdAt: createdAt.toISOString(),
      organizationId,
    };
  });
