import { randomBytes } from 'node:crypto';
import type { Scope } from '@timbrix/shared/scopes';
import { compactVerify, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { BatchWriter } from '../../db/batch.js';
import { ApiError } from '../../errors/codes.js';
import { SIGNING_ALGORITHM, type SigningKeys } from '../../keys/signing-keys.js';
import type { TokenPrincipal } from '../../principals.js';
import type { AuthenticatedClient } from '../oauth-apps/client-auth.js';
import type { AccessTokenRepository, NewTokenRow } from './repository.js';

/** RFC 9068: the media type of JWT access tokens, in the `typ` header. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  /** From the grants a person authorized. */
  refresh_token?: string;
}

/** A token about to be issued: its `jti` and lifetime, in epoch seconds. */
export interface TokenDraft {
  jti: string;
  issuedAt: number;
  expiresAt: number;
}

/** What a token says of who holds it: `sub` is the client for its own, else the person. */
export interface TokenHolderClaims {
  subject: string;
  clientId: string;
  organizationId: string;
  scopes: Scope[];
}

export interface AccessTokenClaims extends JWTPayload {
  client_id: string;
  scope: string;
  organization_id: string;
}

export type Introspection =
  | { active: false }
  | {
      active: true;
      scope: string;
      client_id: string;
      sub: string;
      exp: number;
      iat: number;
      iss: string;
      jti: string;
      token_type: 'Bearer';
      organization_id: string;
    };

const INACTIVE = { active: false } as const;

/**
 * Access tokens: JWTs per RFC 9068, each backed by a row that revocation, introspection and
 * the app's token list read. A token is active only while its row says so and its app still
 * holds every scope it carries.
 */
export class AccessTokens {
  readonly audience: string;
  private readonly rows: BatchWriter<NewTokenRow, boolean>;

  constructor(
    private readonly repository: AccessTokenRepository,
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {
    this.audience = `${issuer}/api`;
    // Concurrent grants share an insert and a commit; each answer waits for its own row.
    this.rows = new BatchWriter((rows) => repository.insert(rows));
  }

  /** A new token's id and lifetime, before anything is stored or signed. */
  draft(): TokenDraft {
    const issuedAt = Math.floor(Date.now() / 1000);
    return {
      jti: `token_${randomBytes(16).toString('hex')}`,
      issuedAt,
      expiresAt: issuedAt + this.ttlSeconds,
    };
  }

  /** The JWT of a drafted token whose row is stored, and the answer that carries it. */
  async sign(draft: TokenDraft, holder: TokenHolderClaims): Promise<IssuedToken> {
    const scope = holder.scopes.join(' ');
    const { kid, privateKey } = this.keys.signingKey();
    const token = await new SignJWT({
      client_id: holder.clientId,
      scope,
      organization_id: holder.organizationId,
    })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setSubject(holder.subject)
      .setAudience(this.audience)
      .setJti(draft.jti)
      .setIssuedAt(draft.issuedAt)
      .setExpirationTime(draft.expiresAt)
      .sign(privateKey);
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: draft.expiresAt - draft.issuedAt,
      scope,
    };
  }

  /** A token for the client itself (the client credentials grant). */
  async issue(client: AuthenticatedClient, scopes: Scope[]): Promise<IssuedToken> {
    const draft = this.draft();
    const stored = await this.rows.add({
      jti: draft.jti,
      appId: client.appId,
      secretId: client.secretId,
      scope: scopes.join(' '),
      expiresAt: draft.expiresAt,
    });
    // The app or the secret changed while the token was being made: it was never valid.
    if (!stored) throw new ApiError('INVALID_CLIENT');
    return this.sign(draft, { ...client, subject: client.clientId, scopes });
  }

  /**
   * RFC 7662: what `caller` may know about `token`: everything, for a client of the token's
   * organization or a platform resource server; that it is inactive, for anyone else.
   */
  async introspect(caller: AuthenticatedClient, token: string): Promise<Introspection> {
    const claims = await this.verify(token);
    if (!claims?.jti) return INACTIVE;
    // A platform resource server sees every organization's tokens; other clients their own.
    const organization = caller.isPlatformResourceServer ? null : caller.organizationId;
    if (!(await this.repository.touchLive(claims.jti, organization))) return INACTIVE;
    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub!,
      exp: claims.exp!,
      iat: claims.iat!,
      iss: claims.iss!,
      jti: claims.jti,
      token_type: 'Bearer',
      organization_id: claims.organization_id,
    };
  }

  /**
   * RFC 7009: revokes `token` if it was issued to `caller`. Anything else (another client's
   * token, an unknown or malformed one) changes nothing, and the caller cannot tell.
   */
  async revoke(caller: AuthenticatedClient, token: string): Promise<void> {
    const jti = await this.signedJti(token);
    if (!jti) return;
    await this.repository.revokeOfApp(jti, caller.appId);
  }

  /**
   * Who calls with `token` on the management API: its app, acting for the app's organization,
   * or the person who authorized it, while the token's row is live (not revoked or expired, its app active and still holding
   * every scope it carries, its secret still valid); null for anything else.
   */
  async callerOf(token: string): Promise<TokenPrincipal | null> {
    const claims = await this.verify(token);
    if (!claims?.jti) return null;
    const holder = await this.repository.liveForRequest(claims.jti);
    if (!holder) return null;
    return {
      kind: 'token',
      tokenId: claims.jti,
      appId: holder.app_id,
      clientId: holder.client_id,
      organizationId: holder.organization_id,
      scopes: holder.scopes,
      userId: holder.user_id,
    };
  }

  /** The claims of a token this server issued and that has not expired, or null. */
  async verify(token: string): Promise<AccessTokenClaims | null> {
    try {
      const { payload } = await jwtVerify<AccessTokenClaims>(token, this.keyFor, {
        algorithms: [SIGNING_ALGORITHM],
        issuer: this.issuer,
        audience: this.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['jti', 'sub', 'exp', 'iat', 'client_id', 'scope', 'organization_id'],
      });
      return payload;
    } catch (error) {
      if (error instanceof errors.JOSEError) return null;
      throw error;
    }
  }

  /** The jti of a token signed by this server, expired or not (revoking those is harmless). */
  private async signedJti(token: string): Promise<string | null> {
    try {
      const { payload, protectedHeader } = await compactVerify(token, this.keyFor, {
        algorithms: [SIGNING_ALGORITHM],
      });
      if (protectedHeader.typ !== ACCESS_TOKEN_TYPE) return null;
      const { jti } = JSON.parse(new TextDecoder().decode(payload)) as JWTPayload;
      return typeof jti === 'string' ? jti : null;
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof SyntaxError) return null;
      throw error;
    }
  }

  private keyFor = async ({ kid }: { kid?: string }) => {
    const key = await this.keys.verificationKey(kid);
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };
}
