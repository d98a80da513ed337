import type { EntityManager } from '@mikro-orm/postgresql';
import type { Statements } from './statements.js';

/**
 * A repository owns all the SQL of one aggregate, through the ORM (`em`, the unit of work it
 * was made on) or through prepared statements on the pool (`sql`, for the hot paths; these
 * run outside any transaction of `em`).
 */
export abstract class Repository {
  constructor(
    protected readonly em: EntityManager,
    protected readonly sql: Statements,
  ) {}
}
