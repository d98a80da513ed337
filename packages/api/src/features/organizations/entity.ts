import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { changingBase } from '../../db/base.js';
import { User } from '../users/entity.js';

export const Organization = defineEntity({
  name: 'Organization',
  tableName: 'organizations',
  properties: {
    ...changingBase(),
    name: p.string().length(100),
    slug: p.string().length(50).unique(),
    logo: p.text().nullable(),
    owner: () => p.manyToOne(User).deleteRule('restrict'),
  },
});
export type Organization = InferEntity<typeof Organization>;
