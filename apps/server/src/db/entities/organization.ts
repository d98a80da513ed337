import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { ROLES } from '@timbrix/shared/roles';
import { createdAt, id, updatedAt } from './base.js';
import { User } from './user.js';

export const Organization = defineEntity({
  name: 'Organization',
  tableName: 'organizations',
  properties: {
    id: id(),
    name: p.string().length(100),
    slug: p.string().length(50).unique(),
    logo: p.text().nullable(),
    owner: () => p.manyToOne(User).deleteRule('restrict'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type Organization = InferEntity<typeof Organization>;

export const Membership = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  uniques: [{ properties: ['user', 'organization'] }],
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    role: p.enum([...ROLES]),
    createdAt: createdAt(),
  },
});
export type Membership = InferEntity<typeof Membership>;

export const Invitation = defineEntity({
  name: 'Invitation',
  tableName: 'invitations',
  properties: {
    id: id(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    email: p.string().length(254),
    role: p.enum(['admin', 'member'] as const),
    /** SHA-256 of the token: the token itself is shown once and never stored. */
    tokenHash: p.string().length(64).unique(),
    invitedBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});
export type Invitation = InferEntity<typeof Invitation>;
