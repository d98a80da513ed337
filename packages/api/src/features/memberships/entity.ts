import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { ROLES } from '@timbrix/shared/roles';
import { base } from '../../db/base.js';
import { Organization } from '../organizations/entity.js';
import { User } from '../users/entity.js';

export const Membership = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  uniques: [{ properties: ['user', 'organization'] }],
  properties: {
    ...base(),
    organization: () => p.manyToOne(Organization).deleteRule('cascade').index(),
    user: () => p.manyToOne(User).deleteRule('cascade'),
    role: p.enum([...ROLES]),
  },
});
export type Membership = InferEntity<typeof Membership>;
