import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { Scope } from '@timbrix/shared/scopes';
import { createdAt } from '../../db/base.js';
import { Authorization } from '../authorizations/entity.js';
import { ClientSecret, OAuthApp } from '../oauth-apps/entity.js';
import { User } from '../users/entity.js';

/**
 * An access token issued to a client, for itself or for a person who authorized it. The JWT itself is not stored: this row is what
 * revocation, introspection and the app's token list read.
 */
export const AccessToken = defineEntity({
  name: 'AccessToken',
  tableName: 'oauth_access_tokens',
  properties: {
    /** The token's `jti`. */
    id: p.string().length(40).primary(),
    app: () => p.manyToOne(OAuthApp).deleteRule('cascade').index(),
    /** The secret its grant was made with: the token lives only as long as that secret. */
    clientSecret: () => p.manyToOne(ClientSecret).nullable().deleteRule('cascade').index(),
    /** The person's authorization it descends from; null for the app's own tokens. */
    authorization: () => p.manyToOne(Authorization).nullable().deleteRule('cascade').index(),
    /** The person it acts for (its `sub`); null for the app's own tokens. */
    user: () => p.manyToOne(User).nullable().deleteRule('cascade').index(),
    scopes: p.array<Scope>(),
    expiresAt: p.datetime().index(),
    revokedAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type AccessToken = InferEntity<typeof AccessToken>;
