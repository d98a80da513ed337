import type { UpdateOAuthAppInput } from '@timbrix/shared/schemas';
import { PLATFORM_SCOPES, type Scope } from '@timbrix/shared/scopes';
import type { Context, UserPrincipal } from '../../context.js';
import { ApiError } from '../../errors/codes.js';
import type { OAuthApp } from './entity.js';

type SignedIn = Context & { principal: UserPrincipal };

/** An app never carries more power than the person who gave it its scopes. */
export async function requireGrantable(
  ctx: SignedIn,
  scopes: readonly Scope[],
  already: readonly Scope[] = [],
) {
  const added = scopes.filter((s) => PLATFORM_SCOPES.includes(s) && !already.includes(s));
  if (added.length === 0) return;
  if (!(await ctx.db.users.isPlatformAdmin(ctx.principal.userId))) {
    throw new ApiError('PLATFORM_SCOPE_NOT_GRANTABLE', {
      message: `Only platform administrators can grant ${added.join(', ')}`,
    });
  }
}

/**
 * An app that reaches beyond its organization is a platform administrator's to change. Its
 * organization's owners and admins may still stop it: deactivate it, or delete it.
 */
export async function requireMayChange(ctx: SignedIn, app: OAuthApp, input: UpdateOAuthAppInput) {
  const platformScopes = app.scopes.filter((scope) => PLATFORM_SCOPES.includes(scope));
  if (platformScopes.length === 0) return;
  const { clientId: _, ...changes } = input;
  const onlyStops = Object.entries(changes).every(
    ([field, value]) => value === undefined || (field === 'isActive' && value === false),
  );
  if (onlyStops || (await ctx.db.users.isPlatformAdmin(ctx.principal.userId))) return;
  throw new ApiError('PLATFORM_APP_LOCKED', {
    message: `Only platform administrators can change an app that holds ${platformScopes.join(', ')}; owners and admins may deactivate or delete it`,
  });
}
