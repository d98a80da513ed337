import type { ErrorCode } from '../../errors/codes.js';
import { AUTHED_ERRORS, authedProcedure, requireStandingOver, SCOPED_ERRORS } from '../../trpc.js';

/** What every route on one app can answer with besides its own errors. */
export const APP_ERRORS: ErrorCode[] = [
  ...AUTHED_ERRORS,
  ...SCOPED_ERRORS,
  'INVALID_INPUT',
  'ONLY_ADMINS_MANAGE_APPS',
  'APP_NOT_FOUND',
];

/**
 * Routes on one app: the app named by `clientId`, in an organization the caller administers.
 * The role is checked in the app's own organization, never in one the caller names.
 */
export const appProcedure = authedProcedure.use(async ({ ctx, getRawInput, next }) => {
  const { clientId } = ((await getRawInput()) ?? {}) as { clientId?: unknown };
  const app = typeof clientId === 'string' ? await ctx.db.oauthApps.byClientId(clientId) : null;
  const standing = await requireStandingOver(ctx, app?.organization.id, 'oauthApps:manage', {
    notFound: 'APP_NOT_FOUND',
    forbidden: 'ONLY_ADMINS_MANAGE_APPS',
  });
  return next({ ctx: { app: app!, standing } });
});
