import type { Credential } from '@timbrix/shared/authorization';
import type { Role } from '@timbrix/shared/roles';
import type { Scope } from '@timbrix/shared/scopes';

/**
 * Who is calling: nobody, a person with a session, or an OAuth access token (an app's, acting
 * for its organization; a person's, once the authorization code grant exists). What each may
 * do is the table in `@timbrix/shared/authorization`.
 */
export type Principal = Anonymous | Caller;
export type Caller = SessionPrincipal | TokenPrincipal | ApiKeyPrincipal;

export interface Anonymous {
  kind: 'anonymous';
  /**
   * A credential was sent but is not valid (RFC 6750 `invalid_token`): which kind it was sent
   * as, so that the API key check can count failures by address.
   */
  rejected?: 'token' | 'api_key';
}

export interface SessionPrincipal {
  kind: 'session';
  userId: string;
  sessionId: string;
  /** How the session token came: an `Authorization` header, or the console's cookie. */
  via: 'bearer' | 'cookie';
}

export interface TokenPrincipal {
  kind: 'token';
  /** The token's `jti`. */
  tokenId: string;
  appId: string;
  clientId: string;
  /** The app's organization: the one an app's own token acts for. */
  organizationId: string;
  scopes: Scope[];
  /** The person who granted it, for a person's token; null for the app's own. */
  userId: string | null;
}

/**
 * An API key: it acts for its organization as an admin would, narrowed by its scopes. What it
 * may be used from and how often (`allowedIps`, the per-key limits) is checked when a
 * procedure that needs a caller admits it (see `ApiKeys.admit`).
 */
export interface ApiKeyPrincipal {
  kind: 'api_key';
  keyId: string;
  organizationId: string;
  scopes: Scope[];
  /** No person is behind a key's calls, even one a person created. */
  userId: null;
  allowedIps: string[];
  rateLimitPerMinute: number | null;
  rateLimitPerHour: number | null;
}

/** Which row of the authorization table a caller's credential reads. */
export function credentialOf(caller: Caller): Credential {
  if (caller.kind === 'session') return 'session';
  if (caller.kind === 'api_key') return 'api_key';
  return caller.userId ? 'user_token' : 'app_token';
}

/** The person behind a call, if a person is behind it. */
export const personOf = (caller: Caller): string | null => caller.userId;

/** Where a caller stands in one organization. */
export interface Standing {
  organizationId: string;
  role: Role;
  /** The caller's own membership, when a person is calling. */
  membershipId: string | null;
}
