import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { SIGNING_ALGORITHM, type SigningKeys } from '../keys/signing-keys.js';

/**
 * Session tokens have a type and an audience of their own (RFC 8725 section 3.11), so an
 * access token issued to an OAuth client can never pass as a person's session.
 */
export const SESSION_TOKEN_TYPE = 'session+jwt';
export const SESSION_AUDIENCE = 'urn:timbrix:session';

export interface Session {
  userId: string;
}

export class Sessions {
  constructor(
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    readonly ttlSeconds: number,
  ) {}

  issue(userId: string): Promise<string> {
    const { kid, privateKey } = this.keys.signingKey();
    return new SignJWT({})
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: SESSION_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setAudience(SESSION_AUDIENCE)
      .setSubject(userId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(privateKey);
  }

  /** The session a bearer token carries, or null for any token that is not a valid one. */
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
          requiredClaims: ['sub', 'exp', 'iat'],
        },
      );
      return payload.sub ? { userId: payload.sub } : null;
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  }
}
