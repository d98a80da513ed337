import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { INVITABLE_ROLES } from '@timbrix/shared/roles';
import { base } from '../../db/base.js';
import { Organization } from '../organizations/entity.js';
import { User } from '../users/entity.js';

export const Invitation = defineEntity({
  name: 'Invitation',
  tableName: 'invitations',
  properties: {
    ...base(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade'),
    email: p.string().length(254),
    role: p.enum([...INVITABLE_ROLES]),
    /** SHA-256 of the token: the token itself is shown once and never stored. */
    tokenHash: p.string().length(64).unique(),
    invitedBy: () => p.manyToOne(User).nullable().deleteRule('set null'),
    expiresAt: p.datetime(),
    acceptedAt: p.datetime().nullable(),
  },
});
export type Invitation = InferEntity<typeof Invitation>;
