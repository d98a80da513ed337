import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { changingBase } from '../../db/base.js';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    ...changingBase(),
    /** Stored lower-cased, so the unique index compares emails case-insensitively. */
    email: p.string().length(254).unique(),
    name: p.string().length(100).nullable(),
    passwordHash: p.text(),
    /** Set and cleared only by the grant-platform-admin and revoke-platform-admin commands. */
    isPlatformAdmin: p.boolean().default(false),
  },
});
export type User = InferEntity<typeof User>;
