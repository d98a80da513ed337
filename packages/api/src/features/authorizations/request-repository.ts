import type { Scope } from '@timbrix/shared/scopes';
import { Repository } from '../../db/repository.js';

export interface RequestedApp {
  id: string;
  redirect_uri: string | null;
  scopes: Scope[];
  is_active: boolean;
}

/** What an authorization request asks, once checked: everything an answer is bound to. */
export interface CheckedRequest {
  appId: string;
  redirectUri: string;
  scopes: Scope[];
  state: string | null;
  codeChallenge: string;
  /** `consent`: ask even if the person agreed before; `none`: never ask. */
  prompt: 'consent' | 'none' | null;
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
  /** The app still stands as the request found it: active, this redirect URI, these scopes. */
  app_stands: boolean;
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

/**
 * The front channel of people's authorizations: pending requests, what the person agreed to
 * before, and the authorization (with its code) that an approval stores.
 */
export class AuthorizationRequestRepository extends Repository {
  /** The app an authorization request names, as it stands. */
  async appByClientId(clientId: string): Promise<RequestedApp | undefined> {
    const { rows } = await this.sql.run<RequestedApp>(
      'app-for-authorization',
      'select id, redirect_uri, scopes, is_active from oauth_apps where client_id = $1',
      [clientId],
    );
    return rows[0];
  }

  /** Keeps a request for the console, under the SHA-256 of its handle. */
  async createRequest(
    row: Omit<CheckedRequest, 'prompt'> & { forceConsent: boolean; id: string; ttlSeconds: number },
  ): Promise<void> {
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
                  (a.is_active and a.redirect_uri = r.redirect_uri and r.scopes <@ a.scopes)
                    as app_stands`,
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
   * organization; and either `remember`s, in the same statement, that the person agreed to
   * these scopes (beside what they agreed to before), or stands on what they agreed to
   * before, which must still cover them. The share locks make a concurrent removal,
   * deactivation or revocation wait for this insert, then revoke what it stored. Whether it
   * was stored.
   */
  async authorize(row: NewAuthorization, remember: boolean): Promise<boolean> {
    const agreed = remember
      ? { name: 'insert-authorization-agreed', join: '', locks: 'a, m' }
      : {
          name: 'insert-authorization-remembered',
          join: `join oauth_consents c
                    on c.user_id = m.user_id and c.app_id = a.id and $4::text[] <@ c.scopes`,
          locks: 'a, m, c',
        };
    const { rows } = await this.sql.run<{ stored: number }>(
      agreed.name,
      `with granted as (
         insert into oauth_authorizations (id, app_id, user_id, scopes, redirect_uri, code_hash,
           code_challenge, code_expires_at, expires_at)
         select $1, a.id, m.user_id, $4, $5, $6, $7,
                now() + $8 * interval '1 second', now() + $9 * interval '1 second'
           from oauth_apps a
           join memberships m on m.organization_id = a.organization_id and m.user_id = $3
           ${agreed.join}
          where a.id = $2 and a.is_active and a.redirect_uri = $5 and $4::text[] <@ a.scopes
            for share of ${agreed.locks}
         returning app_id, user_id, scopes
       ), remembered as (
         insert into oauth_consents as c (user_id, app_id, scopes)
         select user_id, app_id, scopes from granted where $10
         on conflict (user_id, app_id) do update
           set scopes = array(select distinct unnest(c.scopes || excluded.scopes) order by 1),
               updated_at = now()
       )
       select count(*)::int as stored from granted`,
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
        remember,
      ],
    );
    return rows[0]!.stored > 0;
  }
}
