import {
  appByIdInput,
  listOAuthAppsInput,
  oauthApp,
  rotatedSecret,
  rotateSecretInput,
  updateOAuthAppInput,
} from '@timbrix/shared/schemas';
import { z } from 'zod';
import { ApiError } from '../../errors/codes.js';
import { pageOf } from '../../lib/pages.js';
import { holdFor } from '../../standing.js';
import {
  ORG_ERRORS,
  operation,
  orgByIdProcedure,
  requirePermission,
  router,
  SCOPED_ERRORS,
} from '../../trpc.js';
import { createApp } from './create.js';
import { newClientSecret } from './credentials.js';
import type { OAuthApp } from './entity.js';
import { requireGrantable, requireMayChange, requireMayHandOut } from './policy.js';
import { APP_ERRORS, appProcedure } from './procedure.js';
import { appView } from './view.js';

const DEFAULT_GRACE_SECONDS = 86_400;

/** Owners and admins of the organization in the path: who may see its apps. */
const appAdministrators = orgByIdProcedure.use(
  requirePermission('oauthApps:manage', 'ONLY_ADMINS_MANAGE_APPS'),
);

export const oauthAppsRouter = router({
  create: createApp,

  list: appAdministrators
    .meta(
      operation(
        {
          method: 'GET',
          path: '/oauth/apps/organization/{organizationId}',
          tags: ['oauth'],
          action: 'oauthApps:manage',
          summary: 'The organization’s OAuth applications, newest first',
          description:
            'Pages with `limit` and `after`; the next page’s URL is in the `Link` header (rel="next").',
        },
        [...ORG_ERRORS, ...SCOPED_ERRORS, 'INVALID_INPUT', 'ONLY_ADMINS_MANAGE_APPS', 'BAD_CURSOR'],
        undefined,
        ['Link'],
      ),
    )
    .input(listOAuthAppsInput)
    .output(z.array(oauthApp))
    .query(async ({ ctx, input }) => {
      const { organizationId } = ctx.standing;
      const { oauthApps } = ctx.db;
      const cursor = input.after
        ? await oauthApps.byClientId(input.after, organizationId)
        : undefined;
      if (cursor === null) throw new ApiError('BAD_CURSOR');
      const apps = await oauthApps.page(organizationId, input.limit + 1, cursor);
      const path = `/api/oauth/apps/organization/${organizationId}`;
      const idOf = (app: (typeof apps)[number]) => app.clientId;
      const page = pageOf(ctx, path, { limit: input.limit, rows: apps, idOf });
      return page.map(appView);
    }),

  byId: appProcedure
    .meta(
      operation(
        {
          method: 'GET',
          path: '/oauth/apps/{clientId}',
          tags: ['oauth'],
          action: 'oauthApps:manage',
          summary: 'One OAuth application',
        },
        APP_ERRORS,
      ),
    )
    .input(appByIdInput)
    .output(oauthApp)
    .query(({ ctx }) => appView(ctx.app)),

  update: appProcedure
    .meta(
      operation(
        {
          method: 'PATCH',
          path: '/oauth/apps/{clientId}',
          tags: ['oauth'],
          action: 'oauthApps:manage',
          summary: 'Change an OAuth application',
          description:
            'Absent fields stay as they are; `null` (or "") clears `description` or `redirectUri`. Deactivation revokes every token of the app, and narrowed scopes the tokens that carry a removed one, for good.',
        },
        [...APP_ERRORS, 'PLATFORM_SCOPE_NOT_GRANTABLE', 'SCOPE_NOT_HELD', 'PLATFORM_APP_LOCKED'],
      ),
    )
    .input(updateOAuthAppInput)
    .output(oauthApp)
    .mutation(async ({ ctx, input }) => {
      const { app } = ctx;
      const allow = async (current: OAuthApp) => {
        await requireMayChange(ctx, current, input);
        if (input.scopes) await requireGrantable(ctx, input.scopes, current.scopes);
        // Switching an app back on hands its power out again: only to someone who may grant it.
        if (input.isActive && !current.isActive) {
          await requireMayHandOut(ctx, { ...current, scopes: input.scopes ?? current.scopes });
        }
      };
      await allow(app);
      const updated = await ctx.db.oauthApps.update(
        app.id,
        {
          name: input.name,
          description: input.description === undefined ? undefined : input.description || null,
          redirectUri: input.redirectUri,
          scopes: input.scopes,
          isActive: input.isActive,
          isPlatformResourceServer: input.isPlatformResourceServer,
        },
        { hold: holdFor(ctx.standing, 'oauthApps:manage'), allow },
      );
      return appView(updated);
    }),

  delete: appProcedure
    .meta(
      operation(
        {
          method: 'DELETE',
          path: '/oauth/apps/{clientId}',
          tags: ['oauth'],
          action: 'oauthApps:manage',
          summary: 'Delete an OAuth application; its secrets and tokens stop working at once',
          successDescription: 'Deleted',
        },
        APP_ERRORS,
        204,
      ),
    )
    .input(appByIdInput)
    .output(z.void())
    .mutation(async ({ ctx }) => {
      await ctx.db.oauthApps.delete(ctx.app, holdFor(ctx.standing, 'oauthApps:manage'));
    }),

  rotateSecret: appProcedure
    .meta(
      operation(
        {
          method: 'POST',
          path: '/oauth/apps/{clientId}/secret',
          tags: ['oauth'],
          action: 'oauthApps:manage',
          summary: 'Issue a new client secret; the previous one works until its grace period ends',
          description:
            'At most two secrets are valid at once: a rotation while one is still in its grace period ends that one at once. Tokens granted with a secret stop working when it does. An empty body is fine.',
          successDescription: 'The new secret, shown only this once',
        },
        [...APP_ERRORS, 'PLATFORM_SCOPE_NOT_GRANTABLE', 'SCOPE_NOT_HELD'],
        201,
      ),
    )
    .input(rotateSecretInput)
    .output(rotatedSecret)
    .mutation(async ({ ctx, input }) => {
      // A new secret is the app's whole power in new hands: only for someone who may grant it.
      const allow = (current: OAuthApp) => requireMayHandOut(ctx, current);
      await allow(ctx.app);
      const secret = await newClientSecret(ctx.services.hasher);
      const graceSeconds = input.graceSeconds ?? DEFAULT_GRACE_SECONDS;
      const guard = { hold: holdFor(ctx.standing, 'oauthApps:manage'), allow };
      const until = await ctx.db.oauthApps.rotateSecret(ctx.app.id, secret, graceSeconds, guard);
      return {
        clientId: ctx.app.clientId,
        clientSecret: secret.plaintext,
        previousSecretExpiresAt: until?.toISOString() ?? null,
      };
    }),
});
