import type { EntityManager } from '@mikro-orm/postgresql';
import type { Scope } from '@timbrix/shared/scopes';

/**
 * What ends people's authorizations from outside them, each in the transaction of the change
 * that ends them: an app deactivated or narrowed, a person removed from an organization, a
 * person revoking an app. Each revokes for good: no later change brings them back.
 */

/** Which authorizations an app's new state ends: all when inactive, else those beyond its scopes. */
const BEYOND_APP = `app_id = ? and (not ? or not (scopes <@ string_to_array(?, ' ')))`;

/** Revokes, in `em`'s transaction, the authorizations matching `where` and their access tokens. */
export async function revokeWhere(
  em: EntityManager,
  where: string,
  values: unknown[],
): Promise<void> {
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
