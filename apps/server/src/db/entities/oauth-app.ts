import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { Scope } from '@timbrix/shared/scopes';
import { createdAt, id, updatedAt } from './base.js';
import { Organization } from './organization.js';
import { User } from './user.js';

export const OAuthApp = defineEntity({
  name: 'OAuthApp',
  tableName: 'oauth_apps',
  indexes: [{ properties: ['organization', 'createdAt'] }],
  properties: {
    id: id(),
    clientId: p.string().length(20).unique(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    name: p.string().length(100),
    description: p.string().length(500).nullable(),
    /** Exactly as registered: redirect URIs are compared as strings, never normalised. */
    redirectUri: p.text().nullable(),
    scopes: p.array<Scope>(),
    isActive: p.boolean().default(true),
    createdBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type OAuthApp = InferEntity<typeof OAuthApp>;

/** An app holds one secret, or two while a rotated-out one is in its grace period. */
export const ClientSecret = defineEntity({
  name: 'ClientSecret',
  tableName: 'oauth_client_secrets',
  properties: {
    id: id(),
    app: () => p.manyToOne(OAuthApp).deleteRule('cascade').index(),
    /** argon2id PHC string; the plaintext is returned once and never stored. */
    secretHash: p.text(),
    /** Last four characters, so a person can tell secrets apart. */
    hint: p.string().length(4),
    expiresAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type ClientSecret = InferEntity<typeof ClientSecret>;

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
