import type { Scope } from '@timbrix/shared/scopes';
import { Repository } from '../../db/repository.js';
import { holdStanding, type StandingHold } from '../memberships/repository.js';
import { AccessToken } from './entity.js';

export interface NewTokenRow {
  jti: string;
  appId: string;
  secretId: string;
  scope: string;
  /** Epoch seconds. */
  expiresAt: number;
}

/** Timestamps as the driver reads them: ISO 8601 text. */
export interface LiveToken {
  id: string;
  user_id: string | null;
  scopes: Scope[];
  expires_at: string;
  created_at: string;
  last_used_at: string | null;
}

/**
 * Who holds a live token: its app, that app's organization, the token's scopes, and the
 * person it acts for (null for the app's own).
 */
export interface TokenHolder {
  scopes: Scope[];
  user_id: string | null;
  app_id: string;
  client_id: string;
  organization_id: string;
}

/**
 * When a token row (`t`, of app `a`) is live. Revocation, deactivation and narrowed scopes
 * revoke rows for good (see `revokeBeyond`); the app's state, the secret an app's own grant
 * was made with and the authorization a person's token descends from are still checked here,
 * so nothing ever counts on that having happened.
 */
const LIVE = `t.revoked_at is null and t.expires_at > now()
  and a.is_active and t.scopes <@ a.scopes
  and (t.client_secret_id is null or exists (
    select 1 from oauth_client_secrets s
     where s.id = t.client_secret_id and (s.expires_at is null or s.expires_at > now())))
  and (t.authorization_id is null or exists (
    select 1 from oauth_authorizations g
     where g.id = t.authorization_id and g.revoked_at is null))`;

export class AccessTokenRepository extends Repository {
  /**
   * Stores rows only for apps that still stand as they were when their clients authenticated:
   * a row of an app deleted, deactivated or narrowed meanwhile, or whose secret expired, is
   * skipped, not the batch. The share lock makes a concurrent deactivation wait for this
   * insert, then revoke what it stored. Returns whether each row was stored, in order.
   */
  async insert(rows: NewTokenRow[]): Promise<boolean[]> {
    const { rows: stored } = await this.sql.run<{ id: string }>(
      'insert-access-tokens',
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
  }

  /**
   * Records a use of the token if it is live and of `organizationId`'s apps (of any
   * organization's, for null); whether it was. One statement decides and records.
   */
  async touchLive(jti: string, organizationId: string | null): Promise<boolean> {
    const { rowCount } = await this.sql.run(
      'touch-active-token',
      `update oauth_access_tokens t set last_used_at = now()
         from oauth_apps a
        where t.id = $1 and a.id = t.app_id
          and ($2::uuid is null or a.organization_id = $2::uuid)
          and ${LIVE}`,
      [jti, organizationId],
    );
    return rowCount > 0;
  }

  /**
   * The token's app and scopes if it is live, for a request it authenticates; its use is
   * recorded at most once a minute, so that a busy token costs no write per request.
   */
  async liveForRequest(jti: string): Promise<TokenHolder | undefined> {
    const { rows } = await this.sql.run<TokenHolder>(
      'live-token-for-request',
      `with live as (
         select t.id, t.scopes, t.user_id, a.id as app_id, a.client_id, a.organization_id,
                (t.last_used_at is null or t.last_used_at < now() - interval '1 minute') as stale
           from oauth_access_tokens t join oauth_apps a on a.id = t.app_id
          where t.id = $1 and ${LIVE}
       ), touched as (
         update oauth_access_tokens set last_used_at = now()
          where id in (select id from live where stale)
       )
       select scopes, user_id, app_id, client_id, organization_id from live`,
      [jti],
    );
    return rows[0];
  }

  /** The live tokens of an app, newest first. */
  async live(appId: string, limit: number): Promise<LiveToken[]> {
    const { rows } = await this.sql.run<LiveToken>(
      'live-access-tokens',
      `select t.id, t.user_id, t.scopes, t.expires_at, t.created_at, t.last_used_at
         from oauth_access_tokens t join oauth_apps a on a.id = t.app_id
        where t.app_id = $1 and ${LIVE}
        order by t.created_at desc
        limit $2`,
      [appId, limit],
    );
    return rows;
  }

  /** Revokes `jti` if it was issued to `appId`; anything else changes nothing. */
  async revokeOfApp(jti: string, appId: string): Promise<void> {
    await this.sql.run(
      'revoke-access-token',
      'update oauth_access_tokens set revoked_at = now() where id = $1 and app_id = $2 and revoked_at is null',
      [jti, appId],
    );
  }

  /** The token with its app (for the organization it belongs to), or null. */
  withApp(id: string) {
    return this.em.findOne(AccessToken, id, { populate: ['app'] });
  }

  /** Revokes token `id`, while the revoking person's standing holds. */
  revoke(id: string, hold: StandingHold | null): Promise<void> {
    return this.em.transactional(async (em) => {
      await holdStanding(em, hold);
      await em.nativeUpdate(AccessToken, { id, revokedAt: null }, { revokedAt: new Date() });
    });
  }

  /**
   * Revokes, for good, the app's tokens that its new state no longer allows: all of them when
   * it is deactivated, those carrying a scope it lost otherwise. Must run in the transaction
   * that changes the app, so that no later change (reactivation, the scope granted again) can
   * bring a token back.
   */
  async revokeBeyond(app: { id: string; isActive: boolean; scopes: readonly Scope[] }) {
    await this.em.execute(
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
