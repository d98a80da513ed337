import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { ROLES } from '@timbrix/shared/roles';
import { base } from '../../db/base.js';
import { Organization } from '../organizations/entity.js';
import { User } from '../users/entity.js';

export const Membership = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  properties: {
    ...base(),
    role: p.enum([...ROLES]),
    organization: () => p.manyToOne(Organization).deleteRule('cascade').index(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
  },
  // One membership per person and organization.
  uniques: [{ properties: ['user', 'organization'] }],
});
export type Membership = InferEntity<typeof Membership>;
