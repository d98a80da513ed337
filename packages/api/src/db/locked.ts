import { type EntityName, LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { holdStanding, type StandingHold } from '../features/memberships/repository.js';

/**
 * Runs `work` in a transaction on the row `id` of `entity`, locked and read as it stands now
 * (gone meanwhile: the ORM's NotFoundError, a 404), while the writer's standing `hold` holds.
 */
export function withLockedRow<T extends object, R>(
  em: EntityManager,
  entity: EntityName<T>,
  id: string,
  hold: StandingHold | null,
  work: (em: EntityManager, locked: T) => Promise<R>,
): Promise<R> {
  return em.transactional(async (tx) => {
    await holdStanding(tx, hold);
    const locked = await tx.findOneOrFail(entity, id as never, {
      lockMode: LockMode.PESSIMISTIC_WRITE,
      refresh: true,
    });
    return work(tx, locked as T);
  });
}
