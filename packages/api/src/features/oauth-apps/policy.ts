import type { UpdateOAuthAppInput } from '@timbrix/shared/schemas';
import { PLATFORM_SCOPES, type Scope } from '@timbrix/shared/scopes';
import type { Context, UserPrincipal } from '../../context.js';
import { ApiError } from '../../errors/codes.js';

type SignedIn = Context & { principal: UserPrincipal };

const PLATFORM_RESOURCE_SERVER = 'platform resource server (introspects every organization)';

/** What of an app's power reaches beyond its organization. */
export function platformPowers(app: {
  scopes: readonly Scope[];
  isPlatformResourceServer: boolean;
}): string[] {
  const scopes = app.scopes.filter((scope) => PLATFORM_SCOPES.includes(scope));
  return app.isPlatformResourceServer ? [...scopes, PLATFORM_RESOURCE_SERVER] : scopes;
}

/** Refuses `powers` unless the caller is a platform administrator. */
async function requirePlatformAdmin(ctx: SignedIn, powers: readonly string[]) {
  if (powers.length === 0 || (await ctx.db.users.isPlatformAdmin(ctx.principal.userId))) return;
  throw new ApiError('PLATFORM_SCOPE_NOT_GRANTABLE', {
    message: `Only platform administrators can grant ${powers.join(', ')}`,
  });
}

/** An app never carries more power than the person who gave it its scopes. */
export function requireGrantable(
  ctx: SignedIn,
  scopes: readonly Scope[],
  already: readonly Scope[] = [],
) {
  const added = scopes.filter((s) => PLATFORM_SCOPES.includes(s) && !already.includes(s));
  return requirePlatformAdmin(ctx, added);
}

/**
 * What hands an app's whole power to someone (a new secret, switching it back on) needs a
 * platform administrator when that power reaches beyond the organization.
 */
export const requireMayHandOut = (ctx: SignedIn, app: Parameters<typeof platformPowers>[0]) =>
  requirePlatformAdmin(ctx, platformPowers(app));

/**
 * An app that reaches beyond its organization is a platform administrator's to change. Its
 * organization's owners and admins may still stop it: deactivate it, take its platform
 * introspection away, or delete it.
 */
export async function requireMayChange(
  ctx: SignedIn,
  app: Parameters<typeof platformPowers>[0] & { isActive: boolean },
  input: UpdateOAuthAppInput,
) {
  if (input.isPlatformResourceServer && !app.isPlatformResourceServer) {
    await requirePlatformAdmin(ctx, [PLATFORM_RESOURCE_SERVER]);
  }
  const powers = platformPowers(app);
  if (powers.length === 0) return;
  const { clientId: _, ...changes } = input;
  const onlyStops = Object.entries(changes).every(
    ([field, value]) =>
      value === undefined ||
      (field === 'isActive' && value === false) ||
      (field === 'isPlatformResourceServer' && value === false),
  );
  if (onlyStops || (await ctx.db.users.isPlatformAdmin(ctx.principal.userId))) return;
  throw new ApiError('PLATFORM_APP_LOCKED', {
    message: `Only platform administrators can change an app that holds ${powers.join(', ')}; owners and admins may deactivate or delete it`,
  });
}
