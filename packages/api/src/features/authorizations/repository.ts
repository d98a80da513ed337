import type { Scope } from '@timbrix/shared/scopes';
import { Repository } from '../../db/repository.js';
import { EVENT_COLUMNS, type EventRow, eventParameters } from '../events/record.js';
import { revokeAuthorizationOfApp } from './revocation.js';

/** The tokens a redemption or a rotation stores, beside the one it spends. */
export interface NewTokens {
  refreshId: string;
  refreshHash: string;
  jti: string;
  /** Epoch seconds. */
  accessExpiresAt: number;
}

/** What the tokens of an authorization say: whose, which app's organization, which scopes. */
export interface Grantee {
  authorization_id: string;
  user_id: string;
  organization_id: string;
  /** The new access token's. */
  scopes: Scope[];
  /** When the new access token expires (epoch seconds, as text): never after its family. */
  expires_at: string;
}

/** A code as it stands, for the reason a redemption failed. */
export interface CodeState {
  authorization_id: string;
  app_id: string;
  user_id: string;
  used: boolean;
  expired: boolean;
  revoked: boolean;
  redirect_uri: string;
  code_challenge: string;
}

/** A refresh token as it stands, for the reason a rotation failed. */
export interface RefreshState {
  authorization_id: string;
  app_id: string;
  user_id: string;
  rotated: boolean;
  revoked: boolean;
  expired: boolean;
  scopes: Scope[];
}

export interface AuthorizedAppRow {
  client_id: string;
  app_name: string;
  organization_id: string;
  organization_name: string;
  scopes: Scope[];
  authorized_at: string;
  last_used_at: string | null;
}

/**
 * People's authorizations of apps (a code and the family of tokens from it) and their refresh
 * tokens. Spending a code or a refresh token is one statement that decides and writes, so
 * that of two racing uses exactly one wins.
 */
export class AuthorizationRepository extends Repository {
  /**
   * Spends a code: if it is this client's, unused, unexpired, unrevoked, for this redirect URI
   * and PKCE challenge, and its app still allows its scopes, marks it used and stores the
   * first refresh token and access token of its family. Undefined if anything did not hold.
   */
  async redeemCode(
    code: { hash: string; appId: string; redirectUri: string; challenge: string },
    tokens: NewTokens,
  ): Promise<Grantee | undefined> {
    const { rows } = await this.sql.run<Grantee>(
      'redeem-authorization-code',
      `with redeemed as (
         update oauth_authorizations g set code_used_at = now()
           from oauth_apps a
          where g.code_hash = $1 and g.app_id = $2 and a.id = g.app_id
            and g.code_used_at is null and g.code_expires_at > now() and g.revoked_at is null
            and g.redirect_uri = $3 and g.code_challenge = $4
            and a.is_active and g.scopes <@ a.scopes and a.redirect_uri = g.redirect_uri
          returning g.id, g.user_id, g.scopes, a.organization_id,
                    least(to_timestamp($8), g.expires_at) as token_expires_at
       ), refresh as (
         insert into oauth_refresh_tokens (id, authorization_id, token_hash)
         select $5, id, $6 from redeemed
       ), access as (
         insert into oauth_access_tokens (id, app_id, scopes, expires_at, authorization_id, user_id)
         select $7, $2, scopes, token_expires_at, id, user_id from redeemed
       )
       select id as authorization_id, user_id, organization_id, scopes,
              floor(extract(epoch from token_expires_at))::bigint::text as expires_at
         from redeemed`,
      [
        code.hash,
        code.appId,
        code.redirectUri,
        code.challenge,
        tokens.refreshId,
        tokens.refreshHash,
        tokens.jti,
        tokens.accessExpiresAt,
      ],
    );
    return rows[0];
  }

  /** The code with this hash as it stands, to say why it could not be spent. */
  async codeState(hash: string): Promise<CodeState | undefined> {
    const { rows } = await this.sql.run<CodeState>(
      'authorization-code-state',
      `select id as authorization_id, app_id, user_id, code_used_at is not null as used,
              code_expires_at <= now() as expired, revoked_at is not null as revoked,
              redirect_uri, code_challenge
         from oauth_authorizations where code_hash = $1`,
      [hash],
    );
    return rows[0];
  }

  /**
   * Rotates a refresh token: if it is live (not rotated, its authorization this client's,
   * unrevoked and unexpired, its app still allowing its scopes) and `scopes` (null: all)
   * are within the authorization's, marks it rotated and stores its successor and an access
   * token. Undefined if anything did not hold.
   */
  async rotateRefreshToken(
    refresh: { hash: string; appId: string; scopes: Scope[] | null },
    tokens: NewTokens,
  ): Promise<Grantee | undefined> {
    const { rows } = await this.sql.run<Grantee>(
      'rotate-refresh-token',
      `with rotated as (
         update oauth_refresh_tokens r set rotated_at = now()
           from oauth_authorizations g join oauth_apps a on a.id = g.app_id
          where r.token_hash = $1 and r.rotated_at is null and g.id = r.authorization_id
            and g.app_id = $2 and g.revoked_at is null and g.expires_at > now()
            and a.is_active and g.scopes <@ a.scopes
            and ($3::text[] is null or $3::text[] <@ g.scopes)
          returning g.id, g.user_id, coalesce($3::text[], g.scopes) as scopes, a.organization_id,
                    least(to_timestamp($7), g.expires_at) as token_expires_at
       ), successor as (
         insert into oauth_refresh_tokens (id, authorization_id, token_hash)
         select $4, id, $5 from rotated
       ), access as (
         insert into oauth_access_tokens (id, app_id, scopes, expires_at, authorization_id, user_id)
         select $6, $2, scopes, token_expires_at, id, user_id from rotated
       )
       select id as authorization_id, user_id, organization_id, scopes,
              floor(extract(epoch from token_expires_at))::bigint::text as expires_at
         from rotated`,
      [
        refresh.hash,
        refresh.appId,
        refresh.scopes,
        tokens.refreshId,
        tokens.refreshHash,
        tokens.jti,
        tokens.accessExpiresAt,
      ],
    );
    return rows[0];
  }

  /** The refresh token with this hash as it stands, to say why it could not be rotated. */
  async refreshState(hash: string): Promise<RefreshState | undefined> {
    const { rows } = await this.sql.run<RefreshState>(
      'refresh-token-state',
      `select g.id as authorization_id, g.app_id, g.user_id, r.rotated_at is not null as rotated,
              g.revoked_at is not null as revoked, g.expires_at <= now() as expired, g.scopes
         from oauth_refresh_tokens r join oauth_authorizations g on g.id = r.authorization_id
        where r.token_hash = $1`,
      [hash],
    );
    return rows[0];
  }

  /**
   * Ends the authorization's family: it and its access tokens are revoked for good. A reuse's
   * event, when given, is written by the same statement.
   */
  async revokeFamily(authorizationId: string, reuse?: EventRow): Promise<void> {
    const event = reuse ? eventParameters(reuse, 2) : undefined;
    await this.sql.run(
      reuse ? 'revoke-authorization-family-after-reuse' : 'revoke-authorization-family',
      `with family as (
         update oauth_authorizations set revoked_at = coalesce(revoked_at, now())
          where id = $1 returning id
       )${event ? `, event as (insert into events (${EVENT_COLUMNS}) select ${event.placeholders})` : ''}
       update oauth_access_tokens set revoked_at = now()
        where authorization_id in (select id from family) and revoked_at is null`,
      [authorizationId, ...(event?.values ?? [])],
    );
  }

  /** The apps `userId` has authorized (their consent), newest first. */
  async ofPerson(userId: string): Promise<AuthorizedAppRow[]> {
    const { rows } = await this.sql.run<AuthorizedAppRow>(
      'authorized-apps',
      `select a.client_id, a.name as app_name, g.id as organization_id,
              g.name as organization_name, c.scopes, c.updated_at as authorized_at,
              -- The last token issued (a refresh token each time) or used, with no write of its own.
              greatest(
                (select max(r.created_at) from oauth_refresh_tokens r
                   join oauth_authorizations g on g.id = r.authorization_id
                  where g.user_id = c.user_id and g.app_id = c.app_id),
                (select max(t.last_used_at) from oauth_access_tokens t
                  where t.user_id = c.user_id and t.app_id = c.app_id)) as last_used_at
         from oauth_consents c
         join oauth_apps a on a.id = c.app_id
         join organizations g on g.id = a.organization_id
        where c.user_id = $1
        order by c.updated_at desc`,
      [userId],
    );
    return rows;
  }

  /** Ends what `userId` gave the app `clientId`; whether there was anything to end. */
  revokeOfPerson(userId: string, clientId: string): Promise<boolean> {
    return this.em.transactional((em) => revokeAuthorizationOfApp(em, userId, clientId));
  }

  /** Deletes requests nobody answered in time, and authorizations that can never act again. */
  async pruneExpired(): Promise<number> {
    const requests = await this.sql.run(
      'prune-authorization-requests',
      'delete from oauth_authorization_requests where expires_at < now()',
      [],
    );
    const authorizations = await this.sql.run(
      'prune-authorizations',
      `delete from oauth_authorizations g
        where (g.code_used_at is null and g.code_expires_at < now() - interval '1 hour')
           or (g.expires_at < now() - interval '1 hour'
               and not exists (select 1 from oauth_access_tokens t where t.authorization_id = g.id))`,
      [],
    );
    return requests.rowCount + authorizations.rowCount;
  }
}
