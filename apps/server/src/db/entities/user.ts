import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt, id, updatedAt } from './base.js';

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: id(),
    /** Stored lower-cased, so the unique index compares emails case-insensitively. */
    email: p.string().length(254).unique(),
    name: p.string().length(100).nullable(),
    passwordHash: p.text(),
    isPlatformAdmin: p.boolean().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
});
export type User = InferEntity<typeof User>;
