import type { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '@timbrix/shared/scopes';

/**
 * What ends people's authorizations from outside them, each in the transaction of the change
 * that ends them: an app deactivated or narrowed, a person removed from an organization, a
 * person revoking an app. Each revokes for good: no later change brings them back.
 */

/** Which authorizations an app's new state ends: all when inactive, else those beyond its scopes. */
const BEYOND_APP = `app_id = ? and (not ? or not (scopes <@ string_to_array(?, ' ')))`;

/**
 * Revokes, in `em`'s transaction, the authorizations matching `where` and their access
 * tokens. How many authorizations it revoked.
 */
export async function revokeWhere(
  em: EntityManager,
  where: string,
  values: unknown[],
): Promise<number> {
  const [result] = await em.execute<{ revoked: number }[]>(
    `with revoked as (
       update oauth_authorizations set revoked_at = now()
        where revoked_at is null and ${where} returning id
     ), tokens as (
       update oauth_access_tokens set revoked_at = now()
        where revoked_at is null and authorization_id in (select id from revoked)
     )
     select count(*)::int as revoked from revoked`,
    values,
  );
  return result?.revoked ?? 0;
}

/**
 * In the transaction that changes an app: ends the authorizations that its new state no
 * longer allows: all when it is deactivated, those with a scope it lost otherwise. Consent
 * keeps what the app still has (and goes when nothing is left, or with a deactivation), so
 * that the person's list still shows, and can revoke, what stays live.
 */
export async function revokeAuthorizationsBeyond(
  em: EntityManager,
  app: { id: string; isActive: boolean; scopes: readonly Scope[] },
): Promise<void> {
  const values = [app.id, app.isActive, app.scopes.join(' ')];
  await revokeWhere(em, BEYOND_APP, values);
  const kept = (app.isActive ? app.scopes : []).join(' ');
  await em.execute(
    `update oauth_consents
        set scopes = array(select s from unnest(scopes) s
                            where s = any(string_to_array(?, ' ')) order by 1)
      where app_id = ? and not (scopes <@ string_to_array(?, ' '))`,
    [kept, app.id, kept],
  );
  await em.execute(`delete from oauth_consents where app_id = ? and scopes = '{}'`, [app.id]);
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

/**
 * In `em`'s transaction: ends what `userId` gave the app with client id `clientId` (the
 * consent, and every authorization with its tokens). Whether there was anything to end.
 */
export async function revokeAuthorizationOfApp(
  em: EntityManager,
  userId: string,
  clientId: string,
): Promise<boolean> {
  const forgotten = await em.execute<{ app_id: string }[]>(
    `delete from oauth_consents c using oauth_apps a
      where a.client_id = ? and c.app_id = a.id and c.user_id = ?
      returning c.app_id`,
    [clientId, userId],
  );
  const revoked = await revokeWhere(
    em,
    'user_id = ? and app_id = (select id from oauth_apps where client_id = ?)',
    [userId, clientId],
  );
  return forgotten.length > 0 || revoked > 0;
}
