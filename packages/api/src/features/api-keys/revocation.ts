import type { EntityManager } from '@mikro-orm/postgresql';
import { type EventOrigin, recordEvent } from '../events/record.js';
import type { RevocationReason } from './entity.js';

/**
 * When a key row (`k`) is live: not revoked, not expired, and its creator still there (the
 * person still a member of the key's organization, the app not deleted). The changes that end
 * a creator revoke its keys for good (`revokeKeysOfCreator`); the creator is still checked
 * here, so nothing counts on that having happened.
 */
export const LIVE_KEY = `k.revoked_at is null and (k.expires_at is null or k.expires_at > now())
  and case k.creator_type
        when 'user' then exists (select 1 from memberships m
                                  where m.organization_id = k.organization_id
                                    and m.user_id = k.creator_id::uuid)
        when 'app' then exists (select 1 from oauth_apps a where a.client_id = k.creator_id)
        else false
      end`;

/** Whose keys a change ends: a person's in one organization, an app's, or every app's of one. */
export type EndedCreator =
  | { type: 'user'; id: string; organizationId: string }
  | { type: 'app'; id: string }
  | { type: 'apps of'; organizationId: string };

const CREATORS: Record<EndedCreator['type'], string> = {
  user: "creator_type = 'user' and creator_id = ? and organization_id = ?",
  app: "creator_type = 'app' and creator_id = ?",
  // An organization's apps may have made keys elsewhere (with admin:all); its own keys go
  // with it in the cascade.
  'apps of': `creator_type = 'app' and organization_id <> ?
    and creator_id in (select client_id from oauth_apps where organization_id = ?)`,
};

const parametersOf = (creator: EndedCreator) =>
  creator.type === 'user'
    ? [creator.id, creator.organizationId]
    : creator.type === 'app'
      ? [creator.id]
      : [creator.organizationId, creator.organizationId];

/**
 * Revokes, for good and in the transaction of `em`, the live keys `creator` made, each with
 * its `api_key.revoked` event.
 */
export async function revokeKeysOfCreator(
  em: EntityManager,
  origin: EventOrigin,
  creator: EndedCreator,
  reason: Exclude<RevocationReason, 'revoked'>,
): Promise<void> {
  const revoked = await em.execute<
    { id: string; organization_id: string; name: string; prefix: string }[]
  >(
    `update api_keys set revoked_at = now(), revoked_reason = ?, updated_at = now()
      where ${CREATORS[creator.type]}
        and revoked_at is null and (expires_at is null or expires_at > now())
      returning id, organization_id, name, prefix`,
    [reason, ...parametersOf(creator)],
  );
  for (const key of revoked) {
    const { name, prefix } = key;
    recordKeyEvent(em, origin, key.id, key.organization_id, 'api_key.revoked', {
      name,
      prefix,
      reason,
    });
  }
}

/** An event about the key `id` of `organizationId`: never its digest. */
export function recordKeyEvent(
  em: EntityManager,
  origin: EventOrigin,
  id: string,
  organizationId: string,
  type: 'api_key.created' | 'api_key.updated' | 'api_key.revoked',
  data: { name: string; prefix: string } & Record<string, unknown>,
) {
  return recordEvent(em, origin, {
    type,
    organizationId,
    target: { type: 'api_key', id },
    data,
  });
}
