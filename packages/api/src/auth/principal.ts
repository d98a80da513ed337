import { SECRET_PREFIXES } from '@timbrix/shared/secrets';
import { decodeProtectedHeader } from 'jose';
import { ACCESS_TOKEN_TYPE, type AccessTokens } from '../features/access-tokens/service.js';
import type { ApiKeys } from '../features/api-keys/service.js';
import type { Principal } from '../principals.js';
import { SESSION_TOKEN_TYPE, type Sessions } from './sessions.js';

// The scheme is case-insensitive (RFC 9110 section 11.1).
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

const ANONYMOUS: Principal = { kind: 'anonymous' };
const REJECTED: Principal = { kind: 'anonymous', rejected: 'token' };
const REJECTED_KEY: Principal = { kind: 'anonymous', rejected: 'api_key' };

/** The `typ` a JWT says it is, or undefined for anything that is not a JWT. */
function typeOf(token: string): unknown {
  try {
    return decodeProtectedHeader(token).typ;
  } catch {
    return undefined;
  }
}

/** What a request carries to say who is calling. */
export interface PresentedCredentials {
  /** The `Authorization` header. */
  authorization?: string | undefined;
  /** The `X-API-Key` header. */
  apiKey?: string | undefined;
  /** The console's session cookie (on /trpc only). */
  sessionCookie?: string | undefined;
}

/**
 * Who a request says is calling: a person, for a live session token (a bearer one, or else the
 * console's cookie); an app (or a person through it), for a live access token; an API key,
 * live, as `X-API-Key` or a bearer token; nobody, for no credential, and a rejected nobody for
 * any other (procedures that need a caller then answer 401), or for two (RFC 6750 section 2:
 * one method per request). A JWT's `typ` only picks the verifier: each checks it again with
 * the signature.
 */
export async function principalFrom(
  verifiers: { sessions: Sessions; tokens: AccessTokens; apiKeys: ApiKeys },
  { authorization, apiKey, sessionCookie }: PresentedCredentials,
): Promise<Principal> {
  if (apiKey !== undefined) {
    if (authorization !== undefined) return REJECTED_KEY;
    return (await verifiers.apiKeys.authenticate(apiKey)) ?? REJECTED_KEY;
  }
  const token = BEARER.exec(authorization ?? '')?.[1];
  // The console's cookie holds a session token, and only that; a bearer token comes first.
  if (!token && sessionCookie) {
    const session = await verifiers.sessions.verify(sessionCookie);
    return session ? { kind: 'session', ...session, via: 'cookie' } : REJECTED;
  }
  if (!token) return ANONYMOUS;
  if (token.startsWith(SECRET_PREFIXES.apiKey)) {
    return (await verifiers.apiKeys.authenticate(token)) ?? REJECTED_KEY;
  }
  switch (typeOf(token)) {
    case SESSION_TOKEN_TYPE: {
      const session = await verifiers.sessions.verify(token);
      return session ? { kind: 'session', ...session, via: 'bearer' } : REJECTED;
    }
    case ACCESS_TOKEN_TYPE:
      return (await verifiers.tokens.callerOf(token)) ?? REJECTED;
    default:
      return REJECTED;
  }
}
