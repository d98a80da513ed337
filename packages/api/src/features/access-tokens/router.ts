import { accessTokenSummary, appByIdInput, revokeTokenInput } from '@timbrix/shared/schemas';
import { z } from 'zod';
import { holdFor } from '../../standing.js';
import {
  AUTHED_ERRORS,
  authedProcedure,
  operation,
  requireStandingOver,
  router,
  SCOPED_ERRORS,
} from '../../trpc.js';
import { APP_ERRORS, appProcedure } from '../oauth-apps/procedure.js';

const MAX_LISTED = 1000;

/** The access tokens of an organization's apps, for its owners and admins. */
export const tokensRouter = router({
  list: appProcedure
    .meta(
      operation(
        {
          method: 'GET',
          path: '/oauth/apps/{clientId}/tokens',
          tags: ['oauth'],
          action: 'oauthApps:manage',
          summary: 'The app’s live access tokens, newest first (at most 1000)',
        },
        APP_ERRORS,
      ),
    )
    .input(appByIdInput)
    .output(z.array(accessTokenSummary))
    .query(async ({ ctx }) => {
      const tokens = await ctx.db.accessTokens.live(ctx.app.id, MAX_LISTED);
      return tokens.map((token) => ({
        id: token.id,
        userId: token.user_id,
        scopes: token.scopes,
        expiresAt: new Date(token.expires_at).toISOString(),
        createdAt: new Date(token.created_at).toISOString(),
        lastUsedAt: token.last_used_at ? new Date(token.last_used_at).toISOString() : null,
      }));
    }),

  revoke: authedProcedure
    .meta(
      operation(
        {
          method: 'DELETE',
          path: '/oauth/token/{tokenId}',
          tags: ['oauth'],
          action: 'oauthApps:manage',
          summary: 'Revoke an access token of one of the organization’s apps',
          successDescription: 'Revoked',
        },
        [
          ...AUTHED_ERRORS,
          ...SCOPED_ERRORS,
          'INVALID_INPUT',
          'ONLY_ADMINS_MANAGE_APPS',
          'TOKEN_NOT_FOUND',
        ],
        204,
      ),
    )
    .input(revokeTokenInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const token = await ctx.db.accessTokens.withApp(input.tokenId);
      const standing = await requireStandingOver(
        ctx,
        token?.app.organization.id,
        'oauthApps:manage',
        {
          notFound: 'TOKEN_NOT_FOUND',
          forbidden: 'ONLY_ADMINS_MANAGE_APPS',
        },
      );
      await ctx.db.accessTokens.revoke(input.tokenId, holdFor(standing, 'oauthApps:manage'));
    }),
});
