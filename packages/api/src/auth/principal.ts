import { decodeProtectedHeader } from 'jose';
import { ACCESS_TOKEN_TYPE, type AccessTokens } from '../features/access-tokens/service.js';
import type { Principal } from '../principals.js';
import { SESSION_TOKEN_TYPE, type Sessions } from './sessions.js';

// The scheme is case-insensitive (RFC 9110 section 11.1).
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

const ANONYMOUS: Principal = { kind: 'anonymous' };
const REJECTED: Principal = { kind: 'anonymous', rejected: true };

/** The `typ` a JWT says it is, or undefined for anything that is not a JWT. */
function typeOf(token: string): unknown {
  try {
    return decodeProtectedHeader(token).typ;
  } catch {
    return undefined;
  }
}

/**
 * Who an `Authorization` header (or, without one, the console's session cookie) says is calling: a person, for a live session token; an app
 * (or a person through it), for a live access token; nobody, for no bearer token, and a
 * rejected nobody for any other one (procedures that need a caller then answer 401). The `typ`
 * only picks the verifier: each checks it again with the signature.
 */
export async function principalFrom(
  verifiers: { sessions: Sessions; tokens: AccessTokens },
  authorization: string | undefined,
  sessionCookie?: string,
): Promise<Principal> {
  const token = BEARER.exec(authorization ?? '')?.[1];
  // The console's cookie holds a session token, and only that; a bearer token comes first.
  if (!token && sessionCookie) {
    const session = await verifiers.sessions.verify(sessionCookie);
    return session ? { kind: 'session', ...session, via: 'cookie' } : REJECTED;
  }
  if (!token) return ANONYMOUS;
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
