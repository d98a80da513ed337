import type { Principal } from '../context.js';
import type { Sessions } from './sessions.js';

// The scheme is case-insensitive (RFC 9110 section 11.1).
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Who an `Authorization` header says is calling: a person, for a valid session token; nobody,
 * for no header or any token that is not one (procedures that need a person then answer 401).
 */
export async function principalFrom(
  sessions: Sessions,
  authorization: string | undefined,
): Promise<Principal> {
  const token = BEARER.exec(authorization ?? '')?.[1];
  const session = token ? await sessions.verify(token) : null;
  return session ? { kind: 'user', userId: session.userId } : { kind: 'anonymous' };
}
