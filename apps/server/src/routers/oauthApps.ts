import { LockMode } from '@mikro-orm/core';
import {
  accessTokenSummary,
  appByIdInput,
  createdOAuthApp,
  createOAuthAppInput,
  listOAuthAppsInput,
  oauthApp,
  revokeTokenInput,
  rotatedSecret,
  rotateSecretInput,
  type UpdateOAuthAppInput,
  updateOAuthAppInput,
} from '@timbrix/shared/schemas';
import { PLATFORM_SCOPES, type Scope } from '@timbrix/shared/scopes';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Context } from '../context.js';
import { AccessToken, ClientSecret, OAuthApp, User } from '../db/entities/index.js';
import { AccessTokens } from '../oauth/access-tokens.js';
import { newClientId, newClientSecret } from '../oauth/credentials.js';
import { insertApp } from '../oauth/registrations.js';
import {
  authedProcedure,
  orgByIdProcedure,
  orgProcedure,
  requirePermission,
  requireRoleOver,
  router,
} from '../trpc.js';

const ONLY_ADMINS_CREATE = 'Only owners and admins can create OAuth applications.';
const ONLY_ADMINS = 'Only owners and admins can manage OAuth applications.';
const NO_SUCH_APP = 'No OAuth application with this clientId';
const DEFAULT_GRACE_SECONDS = 86_400;
const MAX_LISTED_TOKENS = 1000;

const errors = (extra: Record<number, string> = {}) => ({
  400: 'Invalid input data. Check validation errors.',
  401: 'Authentication required. Provide a valid bearer token.',
  403: 'Access denied. Only owners and admins can manage OAuth applications.',
  ...extra,
});

function toView(app: OAuthApp) {
  return {
    clientId: app.clientId,
    name: app.name,
    description: app.description ?? null,
    redirectUri: app.redirectUri ?? null,
    scopes: app.scopes,
    isActive: app.isActive,
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
  };
}

async function isPlatformAdmin(ctx: Context & { session: { userId: string } }) {
  const user = await ctx.em.findOne(User, ctx.session.userId, { fields: ['isPlatformAdmin'] });
  return user?.isPlatformAdmin === true;
}

/** An app never carries more power than the person who gave it its scopes. */
async function requireGrantable(
  ctx: Context & { session: { userId: string } },
  scopes: readonly Scope[],
  already: readonly Scope[] = [],
) {
  const added = scopes.filter((s) => PLATFORM_SCOPES.includes(s) && !already.includes(s));
  if (added.length === 0) return;
  if (!(await isPlatformAdmin(ctx))) {
    throw new TRPCError({
      code: 'FORBIDDEN',
      message: `Only platform administrators can grant ${added.join(', ')}`,
    });
  }
}

/**
 * An app that reaches beyond its organization is a platform administrator's to change. Its
 * organization's owners and admins may still stop it: deactivate it, or delete it.
 */
async function requireMayChange(
  ctx: Context & { session: { userId: string } },
  app: OAuthApp,
  input: UpdateOAuthAppInput,
) {
  const platformScopes = app.scopes.filter((scope) => PLATFORM_SCOPES.includes(scope));
  if (platformScopes.length === 0) return;
  const { clientId: _, ...changes } = input;
  const onlyStops = Object.entries(changes).every(
    ([field, value]) => value === undefined || (field === 'isActive' && value === false),
  );
  if (onlyStops || (await isPlatformAdmin(ctx))) return;
  throw new TRPCError({
    code: 'FORBIDDEN',
    message: `Only platform administrators can change an app that holds ${platformScopes.join(', ')}; owners and admins may deactivate or delete it`,
  });
}

/** Routes on one app: the app named by `clientId`, in an organization the caller administers. */
const appProcedure = authedProcedure.use(async ({ ctx, getRawInput, next }) => {
  const { clientId } = ((await getRawInput()) ?? {}) as { clientId?: unknown };
  const app = typeof clientId === 'string' ? await ctx.em.findOne(OAuthApp, { clientId }) : null;
  await requireRoleOver(ctx, app?.organization.id, 'oauthApps:manage', {
    notFound: NO_SUCH_APP,
    forbidden: ONLY_ADMINS,
  });
  return next({ ctx: { app: app! } });
});

export const oauthAppsRouter = router({
  create: orgProcedure
    .use(requirePermission('oauthApps:manage', ONLY_ADMINS_CREATE))
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
        errorResponses: errors({
          403: 'Access denied. Only owners and admins can create OAuth applications.',
          429: 'Too many apps created in this organization; see Retry-After',
        }),
      },
      successStatus: 201,
    })
    .input(createOAuthAppInput)
    .output(createdOAuthApp)
    .mutation(async ({ ctx, input }) => {
      const { organizationId } = ctx.membership;
      await requireGrantable(ctx, input.scopes);
      const { limits } = ctx.services;
      const rate = await limits.consume(limits.rules.appCreatesPerOrganization, organizationId);
      if (rate) ctx.res.set(rate);

      const app = {
        clientId: newClientId(),
        organizationId,
        name: input.name,
        description: input.description || null,
        redirectUri: input.redirectUri ?? null,
        scopes: input.scopes,
        createdBy: ctx.session.userId,
        secret: await newClientSecret(ctx.services.hasher),
      };
      const createdAt = await insertApp(ctx.services.sql, app);
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
    }),

  list: orgByIdProcedure
    .use(requirePermission('oauthApps:manage', ONLY_ADMINS))
    .meta({
      openapi: {
        method: 'GET',
        path: '/oauth/apps/organization/{organizationId}',
        tags: ['oauth'],
        summary: 'The organization’s OAuth applications, newest first',
        description:
          'Pages with `limit` and `after`; the next page’s URL is in the `Link` header (rel="next").',
        errorResponses: errors(),
      },
    })
    .input(listOAuthAppsInput)
    .output(z.array(oauthApp))
    .query(async ({ ctx, input }) => {
      const organization = ctx.membership.organizationId;
      let before = {};
      if (input.after) {
        const cursor = await ctx.em.findOne(OAuthApp, { clientId: input.after, organization });
        if (!cursor) {
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: 'after must be the clientId of an app of this organization',
          });
        }
        before = {
          $or: [
            { createdAt: { $lt: cursor.createdAt } },
            { createdAt: cursor.createdAt, id: { $lt: cursor.id } },
          ],
        };
      }
      const apps = await ctx.em.find(
        OAuthApp,
        { organization, ...before },
        { orderBy: { createdAt: 'desc', id: 'desc' }, limit: input.limit + 1 },
      );
      const page = apps.slice(0, input.limit);
      if (apps.length > input.limit && ctx.transport === 'rest') {
        const next = new URL(
          `${ctx.services.config.issuerUrl}/api/oauth/apps/organization/${organization}`,
        );
        next.searchParams.set('limit', String(input.limit));
        next.searchParams.set('after', page.at(-1)!.clientId);
        ctx.res.setHeader('Link', `<${next}>; rel="next"`);
      }
      return page.map(toView);
    }),

  byId: appProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/oauth/apps/{clientId}',
        tags: ['oauth'],
        summary: 'One OAuth application',
        errorResponses: errors({ 404: NO_SUCH_APP }),
      },
    })
    .input(appByIdInput)
    .output(oauthApp)
    .query(({ ctx }) => toView(ctx.app)),

  update: appProcedure
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/oauth/apps/{clientId}',
        tags: ['oauth'],
        summary: 'Change an OAuth application',
        description:
          'Absent fields stay as they are; `null` (or "") clears `description` or `redirectUri`. Narrowed scopes and deactivation apply to live tokens at once.',
        errorResponses: errors({ 404: NO_SUCH_APP }),
      },
    })
    .input(updateOAuthAppInput)
    .output(oauthApp)
    .mutation(async ({ ctx, input }) => {
      const { app } = ctx;
      await requireMayChange(ctx, app, input);
      if (input.scopes) await requireGrantable(ctx, input.scopes, app.scopes);
      // Switching an app back on hands its power out again: only to someone who may grant it.
      if (input.isActive && !app.isActive) await requireGrantable(ctx, input.scopes ?? app.scopes);
      const updated = await ctx.em.transactional(async (em) => {
        const current = await em.findOneOrFail(OAuthApp, app.id, {
          lockMode: LockMode.PESSIMISTIC_WRITE,
        });
        if (input.name !== undefined) current.name = input.name;
        if (input.description !== undefined) current.description = input.description || null;
        if (input.redirectUri !== undefined) current.redirectUri = input.redirectUri;
        if (input.scopes !== undefined) current.scopes = input.scopes;
        if (input.isActive !== undefined) current.isActive = input.isActive;
        await em.flush();
        // Stopped or narrowed: the tokens it no longer allows are revoked for good.
        if (input.isActive === false || input.scopes) await AccessTokens.revokeBeyond(em, current);
        return current;
      });
      return toView(updated);
    }),

  delete: appProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/oauth/apps/{clientId}',
        tags: ['oauth'],
        summary: 'Delete an OAuth application; its secrets and tokens stop working at once',
        successDescription: 'Deleted',
        errorResponses: errors({ 404: NO_SUCH_APP }),
      },
      successStatus: 204,
    })
    .input(appByIdInput)
    .output(z.void())
    .mutation(async ({ ctx }) => {
      // Secrets and token rows go with it (on delete cascade).
      await ctx.em.nativeDelete(OAuthApp, { id: ctx.app.id });
    }),

  rotateSecret: appProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/oauth/apps/{clientId}/secret',
        tags: ['oauth'],
        summary: 'Issue a new client secret; the previous one works until its grace period ends',
        description:
          'At most two secrets are valid at once: a rotation while one is still in its grace period ends that one at once. An empty body is fine.',
        successDescription: 'The new secret, shown only this once',
        errorResponses: errors({ 404: NO_SUCH_APP }),
      },
      successStatus: 201,
    })
    .input(rotateSecretInput)
    .output(rotatedSecret)
    .mutation(async ({ ctx, input }) => {
      // A new secret is the app's whole power in new hands: only for someone who may grant it.
      await requireGrantable(ctx, ctx.app.scopes);
      const secret = await newClientSecret(ctx.services.hasher);
      const graceSeconds = input.graceSeconds ?? DEFAULT_GRACE_SECONDS;
      const previousSecretExpiresAt = await ctx.em.transactional(async (em) => {
        // Rotations of one app take turns.
        await em.findOneOrFail(OAuthApp, ctx.app.id, { lockMode: LockMode.PESSIMISTIC_WRITE });
        const now = new Date();
        const valid = await em.find(ClientSecret, {
          app: ctx.app.id,
          $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }],
        });
        const current = valid.find((s) => s.expiresAt === null);
        for (const older of valid) if (older !== current) older.expiresAt = now;
        if (current) current.expiresAt = new Date(now.getTime() + graceSeconds * 1000);
        em.create(ClientSecret, { app: ctx.app.id, secretHash: secret.hash, hint: secret.hint });
        return current?.expiresAt ?? null;
      });
      return {
        clientId: ctx.app.clientId,
        clientSecret: secret.plaintext,
        previousSecretExpiresAt: previousSecretExpiresAt?.toISOString() ?? null,
      };
    }),

  tokens: appProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/oauth/apps/{clientId}/tokens',
        tags: ['oauth'],
        summary: 'The app’s live access tokens, newest first (at most 1000)',
        errorResponses: errors({ 404: NO_SUCH_APP }),
      },
    })
    .input(appByIdInput)
    .output(z.array(accessTokenSummary))
    .query(async ({ ctx }) => {
      const tokens = await ctx.services.tokens.live(ctx.app.id, MAX_LISTED_TOKENS);
      return tokens.map((token) => ({
        id: token.id,
        scopes: token.scopes,
        expiresAt: new Date(token.expires_at).toISOString(),
        createdAt: new Date(token.created_at).toISOString(),
        lastUsedAt: token.last_used_at ? new Date(token.last_used_at).toISOString() : null,
      }));
    }),

  revokeToken: authedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/oauth/token/{tokenId}',
        tags: ['oauth'],
        summary: 'Revoke an access token of one of the organization’s apps',
        successDescription: 'Revoked',
        errorResponses: errors({ 404: 'No such token' }),
      },
      successStatus: 204,
    })
    .input(revokeTokenInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const token = await ctx.em.findOne(AccessToken, input.tokenId, { populate: ['app'] });
      await requireRoleOver(ctx, token?.app.organization.id, 'oauthApps:manage', {
        notFound: 'No such token',
        forbidden: ONLY_ADMINS,
      });
      await ctx.em.nativeUpdate(
        AccessToken,
        { id: input.tokenId, revokedAt: null },
        { revokedAt: new Date() },
      );
    }),
});
