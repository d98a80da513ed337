import type { Credential } from '@timbrix/shared/authorization';
import type { Role } from '@timbrix/shared/roles';
import type { Scope } from '@timbrix/shared/scopes';

/**
 * Who is calling: nobody, a person with a session, or an OAuth access token (an app's, acting
 * for its organization; a person's, once the authorization code grant exists). What each may
 * do is the table in `@timbrix/shared/authorization`.
 */
export type Principal = Anonymous | Caller;
export type Caller = SessionPrincipal | TokenPrincipal;

export interface Anonymous {
  kind: 'anonymous';
  /** A bearer credential was sent but is not valid (RFC 6750 `invalid_token`). */
  rejected?: boolean;
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

/** Which row of the authorization table a caller's credential reads. */
export const credentialOf = (caller: Caller): Credential =>
  caller.kind === 'session' ? 'session' : caller.userId ? 'user_token' : 'app_token';

/** The person behind a call, if a person is behind it. */
export const personOf = (caller: Caller): string | null => caller.userId;

/** Where a caller stands in one organization. */
export interface Standing {
  organizationId: string;
  role: Role;
  /** The caller's own membership, when a person is calling. */
  membershipId: string | null;
}
