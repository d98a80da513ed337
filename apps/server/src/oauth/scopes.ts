import { ApiError, type AuthenticatedClient } from '@timbrix/api';
import { isScope, type Scope } from '@timbrix/shared/scopes';

/** The scopes a grant gives: those requested, within the app's; none requested means all. */
export function grantedScopes(
  client: AuthenticatedClient,
  requested: readonly string[] | undefined,
): Scope[] {
  if (!requested || requested.length === 0) return client.scopes;
  const unique = [...new Set(requested)];
  const unknown = unique.filter((scope) => !isScope(scope));
  if (unknown.length) {
    throw new ApiError('INVALID_SCOPE', { message: `Unknown scope: ${unknown.join(' ')}` });
  }
  const notGranted = unique.filter((scope) => !client.scopes.includes(scope as Scope));
  if (notGranted.length) {
    throw new ApiError('INVALID_SCOPE', {
      message: `The client may not request: ${notGranted.join(' ')}`,
    });
  }
  return unique as Scope[];
}

/** RFC 6749 section 3.3: a space-separated list. */
export const scopeList = (scope: unknown): string[] =>
  typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
