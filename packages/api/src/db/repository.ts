import type { EntityManager } from '@mikro-orm/postgresql';
import { type EventOrigin, SERVER_ORIGIN } from '../features/events/record.js';
import type { Statements } from './statements.js';

/**
 * A repository owns all the SQL of one aggregate, through the ORM (`em`, the unit of work it
 * was made on) or through prepared statements on the pool (`sql`, for the hot paths; these
 * run outside any transaction of `em`). The changes it makes are recorded as events caused by
 * `origin`: who is working on that unit of work (the server itself, outside any request).
 */
export abstract class Repository {
  constructor(
    protected readonly em: EntityManager,
    protected readonly sql: Statements,
    protected readonly origin: EventOrigin = SERVER_ORIGIN,
  ) {}
}
