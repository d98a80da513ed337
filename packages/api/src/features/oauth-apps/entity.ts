import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { Scope } from '@timbrix/shared/scopes';
import { base, changingBase } from '../../db/base.js';
import { Organization } from '../organizations/entity.js';
import { User } from '../users/entity.js';

export const OAuthApp = defineEntity({
  name: 'OAuthApp',
  tableName: 'oauth_apps',
  indexes: [{ properties: ['organization', 'createdAt'] }],
  properties: {
    ...changingBase(),
    clientId: p.string().length(20).unique(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    name: p.string().length(100),
    description: p.string().length(500).nullable(),
    /** Exactly as registered: redirect URIs are compared as strings, never normalised. */
    redirectUri: p.text().nullable(),
    scopes: p.array<Scope>(),
    isActive: p.boolean().default(true),
    /** Its client may introspect every organization's tokens; set by platform administrators. */
    isPlatformResourceServer: p.boolean().default(false),
    createdBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
  },
});
export type OAuthApp = InferEntity<typeof OAuthApp>;

/** An app holds one secret, or two while a rotated-out one is in its grace period. */
export const ClientSecret = defineEntity({
  name: 'ClientSecret',
  tableName: 'oauth_client_secrets',
  properties: {
    ...base(),
    app: () => p.manyToOne(OAuthApp).deleteRule('cascade').index(),
    /** argon2id PHC string; the plaintext is returned once and never stored. */
    secretHash: p.text(),
    /** Last four characters: tells secrets apart, and picks which one to verify. */
    hint: p.string().length(4),
    expiresAt: p.datetime().nullable(),
  },
});
export type ClientSecret = InferEntity<typeof ClientSecret>;
