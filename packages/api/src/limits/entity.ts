import { defineEntity, type InferEntity, p } from '@mikro-orm/core';

/**
 * A fixed-window rate-limit counter, when the counters live in PostgreSQL. Only the counter
 * store reads and writes it, with its own statements; the table is unlogged (see its
 * migration): counters are worth nothing after a crash.
 */
export const RateCounter = defineEntity({
  name: 'RateCounter',
  tableName: 'rate_limit_counters',
  properties: {
    key: p.string().length(64).primary(),
    count: p.integer(),
    windowEndsAt: p.datetime().index(),
  },
});
export type RateCounter = InferEntity<typeof RateCounter>;
