import type { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '@timbrix/shared/scopes';
import { Repository } from '../../db/repository.js';

export interface RequestedApp {
  id: string;
  redirect_uri: string | null;
  scopes: Scope[];
  is_active: boolean;
}

/** A pending request as the console opens it, with what it needs to decide and to show. */
export interface OpenedRequest {
  app_id: string;
  redirect_uri: string;
  scopes: Scope[];
  state: string | null;
  code_challenge: string;
  force_consent: boolean;
  client_id: string;
  app_name: string;
  app_description: string | null;
  organization_id: string;
  organization_name: string;
  /** The app is active, still has this redirect URI and every requested scope. */
  app_stands: boolean;
  is_member: boolean;
  /** The person agreed to these scopes (or more) for this app before. */
  consented: boolean;
}

/** A request taken for its answer: it is gone from the table. */
export interface TakenRequest {
  app_id: string;
  /** Its redirect URI is still the app's registered one. */
  redirect_stands: boolean;
  redirect_uri: string;
  scopes: Scope[];
  state: string | null;
  code_challenge: string;
}

export interface NewAuthorization {
  id: string;
  appId: string;
  userId: string;
  scopes: Scope[];
  redirectUri: string;
  codeHash: string;
  codeChallenge: string;
  codeTtlSeconds: number;
  refreshTtlSeconds: number;
}

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

/** Which authorizations an app's new state ends: all when inactive, else those beyond its scopes. */
const BEYOND_APP = `app_id = ? and (not ? or not (scopes <@ string_to_array(?, ' ')))`;

/**
 * People's authorizations of apps: pending requests, remembered consent, authorizations (a
 * code and the family of tokens from it) and their refresh tokens. Spending a code or a
 * refresh token is one statement that decides and writes, so that of two racing uses exactly
 * one wins.
 */
export class AuthorizationRepository extends Repository {
  /** The app an authorization request names, as it stands. */
  async appByClientId(clientId: string): Promise<RequestedApp | undefined> {
    const { rows } = await this.sql.run<RequestedApp>(
      'app-for-authorization',
      'select id, redirect_uri, scopes, is_active from oauth_apps where client_id = $1',
      [clientId],
    );
    return rows[0];
  }

  async createRequest(row: {
    id: string;
    appId: string;
    redirectUri: string;
    scopes: Scope[];
    state: string | null;
    codeChallenge: string;
    forceConsent: boolean;
    ttlSeconds: number;
  }): Promise<void> {
    await this.sql.run(
      'create-authorization-request',
      `insert into oauth_authorization_requests
         (id, app_id, redirect_uri, scopes, state, code_challenge, force_consent, expires_at)
       values ($1, $2, $3, $4, $5, $6, $7, now() + $8 * interval '1 second')`,
      [
        row.id,
        row.appId,
        row.redirectUri,
        row.scopes,
        row.state,
        row.codeChallenge,
        row.forceConsent,
        row.ttlSeconds,
      ],
    );
  }

  /**
   * Binds a live request to the console session opening it, with the hash of a new one-time
   * value for its answer (a reload replaces it); a request another session opened is not
   * found. Reads what deciding and showing it need.
   */
  async openRequest(
    id: string,
    session: { sessionId: string; userId: string },
    decisionHash: string,
  ): Promise<OpenedRequest | undefined> {
    const { rows } = await this.sql.run<OpenedRequest>(
      'open-authorization-request',
      `with opened as (
         update oauth_authorization_requests r set session_id = $2, decision_hash = $3
          where r.id = $1 and r.expires_at > now() and (r.session_id is null or r.session_id = $2)
          returning r.app_id, r.redirect_uri, r.scopes, r.state, r.code_challenge, r.force_consent
       )
       select o.*, a.client_id, a.name as app_name, a.description as app_description,
              g.id as organization_id, g.name as organization_name,
              (a.is_active and a.redirect_uri = o.redirect_uri and o.scopes <@ a.scopes) as app_stands,
              exists (select 1 from memberships m
                       where m.organization_id = a.organization_id and m.user_id = $4) as is_member,
              coalesce(o.scopes <@ c.scopes, false) as consented
         from opened o
         join oauth_apps a on a.id = o.app_id
         join organizations g on g.id = a.organization_id
         left join oauth_consents c on c.user_id = $4 and c.app_id = o.app_id`,
      [id, session.sessionId, decisionHash, session.userId],
    );
    return rows[0];
  }

  /**
   * Takes a request for its answer, once: only the session that opened it, with the one-time
   * value it was given, before it expires.
   */
  async takeRequest(
    id: string,
    sessionId: string,
    decisionHash: string,
  ): Promise<TakenRequest | undefined> {
    const { rows } = await this.sql.run<TakenRequest>(
      'take-authorization-request',
      `delete from oauth_authorization_requests r using oauth_apps a
        where r.id = $1 and r.session_id = $2 and r.decision_hash = $3 and r.expires_at > now()
          and a.id = r.app_id
        returning r.app_id, r.redirect_uri, r.scopes, r.state, r.code_challenge,
                  a.redirect_uri = r.redirect_uri as redirect_stands`,
      [id, sessionId, decisionHash],
    );
    return rows[0];
  }

  /** Whether `userId` may authorize the app now, and has agreed to `scopes` for it before. */
  async standing(
    userId: string,
    appId: string,
    scopes: Scope[],
  ): Promise<{ is_member: boolean; consented: boolean }> {
    const { rows } = await this.sql.run<{ is_member: boolean; consented: boolean }>(
      'authorization-standing',
      `select exists (select 1 from memberships m
                       where m.organization_id = a.organization_id and m.user_id = $1) as is_member,
              coalesce((select $3::text[] <@ c.scopes from oauth_consents c
                         where c.user_id = $1 and c.app_id = a.id), false) as consented
         from oauth_apps a where a.id = $2`,
      [userId, appId, scopes],
    );
    return rows[0] ?? { is_member: false, consented: false };
  }

  /**
   * Stores an authorization with its code, if the app still stands as the request found it
   * (active, this redirect URI, these scopes) and the person is still a member of its
   * organization. The share locks make a concurrent removal or deactivation wait for this
   * insert, then revoke what it stored. Whether it was stored.
   */
  async authorize(row: NewAuthorization): Promise<boolean> {
    const { rowCount } = await this.sql.run(
      'insert-authorization',
      `insert into oauth_authorizations (id, app_id, user_id, scopes, redirect_uri, code_hash,
         code_challenge, code_expires_at, expires_at)
       select $1, a.id, m.user_id, $4, $5, $6, $7,
              now() + $8 * interval '1 second', now() + $9 * interval '1 second'
         from oauth_apps a
         join memberships m on m.organization_id = a.organization_id and m.user_id = $3
        where a.id = $2 and a.is_active and a.redirect_uri = $5 and $4::text[] <@ a.scopes
          for share of a, m`,
      [
        row.id,
        row.appId,
        row.userId,
        row.scopes,
        row.redirectUri,
        row.codeHash,
        row.codeChallenge,
        row.codeTtlSeconds,
        row.refreshTtlSeconds,
      ],
    );
    return rowCount > 0;
  }

  /** Remembers that `userId` agreed to `scopes` for the app, beside what they agreed to before. */
  async rememberConsent(userId: string, appId: string, scopes: Scope[]): Promise<void> {
    await this.sql.run(
      'remember-consent',
      `insert into oauth_consents as c (user_id, app_id, scopes) values ($1, $2, $3)
       on conflict (user_id, app_id) do update
         set scopes = array(select distinct unnest(c.scopes || excluded.scopes) order by 1),
             updated_at = now()`,
      [userId, appId, scopes],
    );
  }

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
            and a.is_active and g.scopes <@ a.scopes
          returning g.id, g.user_id, g.scopes, a.organization_id
       ), refresh as (
         insert into oauth_refresh_tokens (id, authorization_id, token_hash)
         select $5, id, $6 from redeemed
       ), access as (
         insert into oauth_access_tokens (id, app_id, scopes, expires_at, authorization_id, user_id)
         select $7, $2, scopes, to_timestamp($8), id, user_id from redeemed
       ), consent as (
         update oauth_consents c set last_used_at = now()
           from redeemed r where c.user_id = r.user_id and c.app_id = $2
       )
       select id as authorization_id, user_id, organization_id, scopes from redeemed`,
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
          returning g.id, g.user_id, coalesce($3::text[], g.scopes) as scopes, a.organization_id
       ), successor as (
         insert into oauth_refresh_tokens (id, authorization_id, token_hash)
         select $4, id, $5 from rotated
       ), access as (
         insert into oauth_access_tokens (id, app_id, scopes, expires_at, authorization_id, user_id)
         select $6, $2, scopes, to_timestamp($7), id, user_id from rotated
       ), consent as (
         update oauth_consents c set last_used_at = now()
           from rotated r where c.user_id = r.user_id and c.app_id = $2
       )
       select id as authorization_id, user_id, organization_id, scopes from rotated`,
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

  /** Ends an authorization's family: its code, its refresh tokens, its access tokens. */
  async revokeFamily(authorizationId: string): Promise<void> {
    await this.sql.run(
      'revoke-authorization-family',
      `with family as (
         update oauth_authorizations set revoked_at = coalesce(revoked_at, now())
          where id = $1 returning id
       )
       update oauth_access_tokens set revoked_at = now()
        where authorization_id in (select id from family) and revoked_at is null`,
      [authorizationId],
    );
  }

  /** The apps `userId` has authorized (their consent), newest first. */
  async ofPerson(userId: string): Promise<AuthorizedAppRow[]> {
    const { rows } = await this.sql.run<AuthorizedAppRow>(
      'authorized-apps',
      `select a.client_id, a.name as app_name, g.id as organization_id,
              g.name as organization_name, c.scopes, c.updated_at as authorized_at,
              greatest(c.last_used_at, (select max(t.last_used_at) from oauth_access_tokens t
                                          where t.user_id = c.user_id and t.app_id = c.app_id))
                as last_used_at
         from oauth_consents c
         join oauth_apps a on a.id = c.app_id
         join organizations g on g.id = a.organization_id
        where c.user_id = $1
        order by c.updated_at desc`,
      [userId],
    );
    return rows;
  }

  /**
   * Ends what `userId` gave the app with client id `clientId`: the consent, and every
   * authorization with its tokens. Whether there was a consent.
   */
  async revokeOfPerson(userId: string, clientId: string): Promise<boolean> {
    return this.em.transactional(async (em) => {
      const forgotten = await em.execute<{ app_id: string }[]>(
        `delete from oauth_consents c using oauth_apps a
          where a.client_id = ? and c.app_id = a.id and c.user_id = ?
          returning c.app_id`,
        [clientId, userId],
      );
      await revokeWhere(
        em,
        'user_id = ? and app_id = (select id from oauth_apps where client_id = ?)',
        [userId, clientId],
      );
      return forgotten.length > 0;
    });
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

/** Revokes, in `em`'s transaction, the authorizations matching `where` and their access tokens. */
async function revokeWhere(em: EntityManager, where: string, values: unknown[]): Promise<void> {
  await em.execute(
    `with revoked as (
       update oauth_authorizations set revoked_at = now()
        where revoked_at is null and ${where} returning id
     )
     update oauth_access_tokens set revoked_at = now()
      where revoked_at is null and authorization_id in (select id from revoked)`,
    values,
  );
}

/**
 * In the transaction that changes an app: ends the authorizations (and their consent) that
 * its new state no longer allows: all when it is deactivated, those with a scope it lost
 * otherwise.
 */
export async function revokeAuthorizationsBeyond(
  em: EntityManager,
  app: { id: string; isActive: boolean; scopes: readonly Scope[] },
): Promise<void> {
  const values = [app.id, app.isActive, app.scopes.join(' ')];
  await revokeWhere(em, BEYOND_APP, values);
  await em.execute(`delete from oauth_consents where ${BEYOND_APP}`, values);
}

/**
 * In the transaction that removes `userId` from `organizationId`: ends what they authorized
 * the organization's apps to do, and the consent behind it. (A request they have yet to
 * answer can no longer be approved: approving checks the membership again.)
 */
export async function revokeAuthorizationsInOrganization(
  em: EntityManager,
  userId: string,
  organizationId: string,
): Promise<void> {
  const ofOrganization = 'app_id in (select id from oauth_apps where organization_id = ?)';
  await revokeWhere(em, `user_id = ? and ${ofOrganization}`, [userId, organizationId]);
  await em.execute(`delete from oauth_consents where user_id = ? and ${ofOrganization}`, [
    userId,
    organizationId,
  ]);
}
