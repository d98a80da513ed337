import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '@timbrix/shared/scopes';
import { compactVerify, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { SIGNING_ALGORITHM, type SigningKeys } from '../auth/signing-keys.js';
import { BatchWriter } from '../db/batch.js';
import type { Statements } from '../db/statements.js';
import type { AuthenticatedClient } from './client-auth.js';
import { invalidClient } from './errors.js';

/** RFC 9068: the media type of JWT access tokens, in the `typ` header. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
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

interface TokenRow {
  jti: string;
  appId: string;
  secretId: string;
  scope: string;
  expiresAt: number;
}

/**
 * When a token row (`t`, of app `a`) is live. Revocation, deactivation and narrowed scopes
 * revoke rows for good (see `revokeBeyond`); the app's state and the secret its grant was
 * made with are still checked here, so nothing ever counts on that having happened.
 */
const LIVE = `t.revoked_at is null and t.expires_at > now()
  and a.is_active and t.scopes <@ a.scopes
  and (t.client_secret_id is null or exists (
    select 1 from oauth_client_secrets s
     where s.id = t.client_secret_id and (s.expires_at is null or s.expires_at > now())))`;

/** Timestamps as the driver reads them: ISO 8601 text. */
export interface LiveToken {
  id: string;
  scopes: Scope[];
  expires_at: string;
  created_at: string;
  last_used_at: string | null;
}

/**
 * Access tokens: JWTs per RFC 9068, each backed by a row that revocation, introspection and
 * the app's token list read. A token is active only while its row says so and its app still
 * holds every scope it carries.
 */
export class AccessTokens {
  readonly audience: string;
  private readonly rows: BatchWriter<TokenRow, boolean>;

  constructor(
    private readonly sql: Statements,
    private readonly keys: SigningKeys,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {
    this.audience = `${issuer}/api`;
    // Concurrent grants share an insert and a commit; each answer waits for its own row.
    this.rows = new BatchWriter(async (rows) => {
      const { rows: stored } = await sql.run<{ id: string }>(
        'insert-access-tokens',
        // Only for an app that still stands as it was when its client authenticated: a row
        // of an app deleted, deactivated or narrowed meanwhile is skipped, not the batch. The
        // share lock makes a concurrent deactivation wait for this insert, then revoke it.
        `insert into oauth_access_tokens (id, app_id, client_secret_id, scopes, expires_at)
         select t.id, t.app_id, t.secret_id, t.scopes, to_timestamp(t.expires_at)
           from (select id, app_id, secret_id, string_to_array(scope, ' ') as scopes, expires_at
                   from unnest($1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[])
                     as u(id, app_id, secret_id, scope, expires_at)) t
           join oauth_apps a on a.id = t.app_id
           join oauth_client_secrets s on s.id = t.secret_id
          where a.is_active and t.scopes <@ a.scopes
            and (s.expires_at is null or s.expires_at > now())
            for share of a
         returning id`,
        [
          rows.map((row) => row.jti),
          rows.map((row) => row.appId),
          rows.map((row) => row.secretId),
          rows.map((row) => row.scope),
          rows.map((row) => row.expiresAt),
        ],
      );
      const ids = new Set(stored.map((row) => row.id));
      return rows.map((row) => ids.has(row.jti));
    });
  }

  async issue(client: AuthenticatedClient, scopes: Scope[]): Promise<IssuedToken> {
    const jti = `token_${randomBytes(16).toString('hex')}`;
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + this.ttlSeconds;
    const scope = scopes.join(' ');
    const { kid, privateKey } = this.keys.signingKey();
    const token = await new SignJWT({
      client_id: client.clientId,
      scope,
      organization_id: client.organizationId,
    })
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid, typ: ACCESS_TOKEN_TYPE })
      .setIssuer(this.issuer)
      .setSubject(client.clientId)
      .setAudience(this.audience)
      .setJti(jti)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(privateKey);
    const stored = await this.rows.add({
      jti,
      appId: client.appId,
      secretId: client.secretId,
      scope,
      expiresAt,
    });
    // The app or the secret changed while the token was being made: it was never valid.
    if (!stored) throw invalidClient();
    return { access_token: token, token_type: 'Bearer', expires_in: this.ttlSeconds, scope };
  }

  /** RFC 7662: what `caller` (a client of the same organization) may know about `token`. */
  async introspect(caller: AuthenticatedClient, token: string): Promise<Introspection> {
    const claims = await this.verify(token);
    if (!claims?.jti) return INACTIVE;
    // One statement decides and records: the row is touched only if the token is active now.
    const touched = await this.sql.run(
      'touch-active-token',
      `update oauth_access_tokens t set last_used_at = now()
         from oauth_apps a
        where t.id = $1 and a.id = t.app_id and a.organization_id = $2
          and ${LIVE}`,
      [claims.jti, caller.organizationId],
    );
    if (touched.rowCount === 0) return INACTIVE;
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
    await this.sql.run(
      'revoke-access-token',
      'update oauth_access_tokens set revoked_at = now() where id = $1 and app_id = $2 and revoked_at is null',
      [jti, caller.appId],
    );
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

  /** The live tokens of an app, newest first. */
  async live(appId: string, limit: number): Promise<LiveToken[]> {
    const { rows } = await this.sql.run<LiveToken>(
      'live-access-tokens',
      `select t.id, t.scopes, t.expires_at, t.created_at, t.last_used_at
         from oauth_access_tokens t join oauth_apps a on a.id = t.app_id
        where t.app_id = $1 and ${LIVE}
        order by t.created_at desc
        limit $2`,
      [appId, limit],
    );
    return rows;
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

  /**
   * Revokes, for good, the app's tokens that its new state no longer allows: all of them when
   * it is deactivated, those carrying a scope it lost otherwise. Runs in the transaction that
   * changes the app, so that no later change (reactivation, the scope granted again) can bring
   * a token back.
   */
  static async revokeBeyond(
    em: EntityManager,
    app: { id: string; isActive: boolean; scopes: readonly Scope[] },
  ): Promise<void> {
    await em.execute(
      `update oauth_access_tokens set revoked_at = now()
        where app_id = ? and revoked_at is null
          and (not ? or not (scopes <@ string_to_array(?, ' ')))`,
      [app.id, app.isActive, app.scopes.join(' ')],
    );
  }

  /** Deletes the rows of tokens that expired a while ago; they can never be active again. */
  async pruneExpired(): Promise<number> {
    const { rowCount } = await this.sql.run(
      'prune-access-tokens',
      "delete from oauth_access_tokens where expires_at < now() - interval '1 hour'",
      [],
    );
    return rowCount;
  }
}
