import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { base } from '../../db/base.js';
import { User } from '../users/entity.js';

/**
 * A signed-in session. Its token carries this row's id: deleting the row (sign out, sign out
 * everywhere, a password change) ends the session at once, on every server process.
 */
export const Session = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    ...base(),
    user: () => p.manyToOne(User).deleteRule('cascade').index(),
    expiresAt: p.datetime().index(),
  },
});
export type Session = InferEntity<typeof Session>;
