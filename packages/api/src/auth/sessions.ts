import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { SessionRepository } from '../features/sessions/repository.js';
import { SIGNING_ALGORITHM, type SigningKeys } from '../keys/signing-keys.js';
import { isUuid } from '../lib/ids.js';
import { SessionCookie } from './session-cookie.js';

/**
 * Session tokens have a type and an audience of their own (RFC 8725 section 3.11), so an
 * access token issued to an OAuth client can never pass as a person's session.
 */
export const SESSION_TOKEN_TYPE = 'session+jwt';
export const SESSION_AUDIENCE = 'urn:timbrix:session';

export interface Session {
  userId: string;
  /** The session's row, and the token's `jti`. */
  sessionId: string;
}

/**
 * Session tokens are signed JWTs backed by a row each: the signature says who, the row that
 * the session has not been ended (sign out, sign out everywhere, a password change).
 */
export class Sessions {
  /** How the console carries a session: see `SessionCookie`. */
  readonly cookie: SessionCookie;

  constructor(
    private readonly rows: SessionRepository,
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    readonly ttlSeconds: number,
  ) {
    this.cookie = new SessionCookie(issuer);
  }

  async issue(userId: string): Promise<string> {
    const sessionId = randomUUID();
    const expiresAt = Math.floor(Date.now() / 1000) + this.ttlSeconds;
    await this.rows.insert(sessionId, userId, new Date(expiresAt * 1000));
    const { kid, privateKey } = this.keys.signingKey();
    return new SignJWT({})
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: SESSION_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setAudience(SESSION_AUDIENCE)
      .setSubject(userId)
      .setJti(sessionId)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(privateKey);
  }

  /** The live session a bearer token carries, or null for any token that is not one. */
  async verify(token: string): Promise<Session | null> {
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const key = await this.keys.verificationKey(header.kid);
          if (!key) throw new errors.JWKSNoMatchingKey();
          return key;
        },
        {
          algorithms: [SIGNING_ALGORITHM],
          issuer: this.issuer,
          audience: SESSION_AUDIENCE,
          typ: SESSION_TOKEN_TYPE,
          requiredClaims: ['sub', 'exp', 'iat', 'jti'],
        },
      );
      const { sub: userId, jti: sessionId } = payload;
      if (!userId || !sessionId || !isUuid(sessionId)) return null;
      return (await this.rows.isLive(sessionId, userId)) ? { userId, sessionId } : null;
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  }
}
