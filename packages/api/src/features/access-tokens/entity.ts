import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { Scope } from '@timbrix/shared/scopes';
import { createdAt } from '../../db/base.js';
import { ClientSecret, OAuthApp } from '../oauth-apps/entity.js';

/**
 * An access token issued to a client. The JWT itself is not stored: this row is what
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
    scopes: p.array<Scope>(),
    expiresAt: p.datetime().index(),
    revokedAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type AccessToken = InferEntity<typeof AccessToken>;
