import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { ActorType } from '@timbrix/shared/events';
import type { Scope } from '@timbrix/shared/scopes';
import { changingBase } from '../../db/base.js';
import { Organization } from '../organizations/entity.js';

/** Why a key was revoked: by someone, or because its creator left or went away. */
export type RevocationReason = 'revoked' | 'creator_removed' | 'creator_deleted';

/**
 * An organization's API key. The key itself is never stored: only its HMAC-SHA256 under a key
 * derived from KEY_ENCRYPTION_KEY (the one lookup a request makes) and its first characters.
 */
export const ApiKey = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  indexes: [
    { properties: ['organization', 'createdAt'] },
    // The keys a person or an app made, which end with them.
    { properties: ['creatorType', 'creatorId'] },
  ],
  properties: {
    ...changingBase(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    /** base64url HMAC-SHA256 of the whole key (see `ApiKeyDigests`). */
    digest: p.string().length(43).unique(),
    /** The first characters after `sk_`, to tell keys apart in lists. */
    prefix: p.string().length(8),
    name: p.string().length(50),
    description: p.string().length(200).nullable(),
    scopes: p.array<Scope>(),
    rateLimitPerMinute: p.integer().nullable(),
    rateLimitPerHour: p.integer().nullable(),
    /** Canonical addresses and CIDR ranges; null: any address. */
    allowedIps: p.array<string>().nullable(),
    /** Who created it, as the audit log names actors: a person (user id) or an app (client id). */
    creatorType: p.string().length(16).$type<Exclude<ActorType, 'api_key'>>(),
    creatorId: p.string().length(64),
    expiresAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
    revokedReason: p.string().length(32).$type<RevocationReason>().nullable(),
  },
});
export type ApiKey = InferEntity<typeof ApiKey>;
