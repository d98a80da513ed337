import type { UpdateOAuthAppInput } from '@timbrix/shared/schemas';
import { PLATFORM_SCOPES, type Scope } from '@timbrix/shared/scopes';
import type { Caller, Context } from '../../context.js';
import { ApiError } from '../../errors/codes.js';

type SignedIn = Context & { principal: Caller };

const PLATFORM_RESOURCE_SERVER = 'platform resource server (introspects every organization)';

/** What of an app's power reaches beyond its organization. */
export function platformPowers(app: {
  scopes: readonly Scope[];
  isPlatformResourceServer: boolean;
}): string[] {
  const scopes = app.scopes.filter((scope) => PLATFORM_SCOPES.includes(scope));
  return app.isPlatformResourceServer ? [...scopes, PLATFORM_RESOURCE_SERVER] : scopes;
}

/**
 * A platform administrator: a person the grant-platform-admin command made one, calling with a
 * session, or with a token of theirs that holds a platform scope; or an app's token holding a
 * platform scope (which only a platform administrator can have given its app).
 */
async function isPlatformAdmin({ principal, db }: SignedIn): Promise<boolean> {
  if (principal.kind === 'session') return db.users.isPlatformAdmin(principal.userId);
  if (!principal.scopes.some((scope) => PLATFORM_SCOPES.includes(scope))) return false;
  return principal.userId === null || db.users.isPlatformAdmin(principal.userId);
}

/** An access token hands on no scope it lacks (a session hands on what its person may). */
function requireHeld(ctx: SignedIn, scopes: readonly Scope[]) {
  const { principal } = ctx;
  if (principal.kind === 'session') return;
  const lacking = scopes.filter((scope) => !principal.scopes.includes(scope));
  if (lacking.length === 0) return;
  throw new ApiError('SCOPE_NOT_HELD', {
    message: `An access token can give only scopes it holds itself; it lacks ${lacking.join(', ')}`,
  });
}

/** Refuses `powers` unless the caller is a platform administrator. */
async function requirePlatformAdmin(ctx: SignedIn, powers: readonly string[]) {
  if (powers.length === 0 || (await isPlatformAdmin(ctx))) return;
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
  requireHeld(
    ctx,
    scopes.filter((scope) => !already.includes(scope)),
  );
  const added = scopes.filter((s) => PLATFORM_SCOPES.includes(s) && !already.includes(s));
  return requirePlatformAdmin(ctx, added);
}

/**
 * What hands an app's whole power to someone (a new secret, switching it back on) needs a
 * platform administrator when that power reaches beyond the organization.
 */
export function requireMayHandOut(ctx: SignedIn, app: Parameters<typeof platformPowers>[0]) {
  requireHeld(ctx, app.scopes);
  return requirePlatformAdmin(ctx, platformPowers(app));
}

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
  if (onlyStops || (await isPlatformAdmin(ctx))) return;
  throw new ApiError('PLATFORM_APP_LOCKED', {
    message: `Only platform administrators can change an app that holds ${powers.join(', ')}; owners and admins may deactivate or delete it`,
  });
}

/**
 * An API key that reaches beyond its organization is a platform administrator's to change,
 * as such an app is; its organization's owners and admins may still revoke it.
 */
export async function requireMayChangeKey(ctx: SignedIn, key: { scopes: readonly Scope[] }) {
  const powers = key.scopes.filter((scope) => PLATFORM_SCOPES.includes(scope));
  if (powers.length === 0 || (await isPlatformAdmin(ctx))) return;
  throw new ApiError('PLATFORM_KEY_LOCKED', {
    message: `Only platform administrators can change a key that holds ${powers.join(', ')}; owners and admins may revoke it`,
  });
}
