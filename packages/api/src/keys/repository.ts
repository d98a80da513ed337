import { Repository } from '../db/repository.js';
import { SigningKey } from './entity.js';

const KEY_CHANGE_LOCK = 7270011;

export class SigningKeyRepository extends Repository {
  /** Runs `work` on the current key (null if none) with every other key change held off. */
  change(work: (keys: SigningKeyRepository, current: SigningKey | null) => Promise<void>) {
    return this.em.fork().transactional(async (em) => {
      await em.execute(`select pg_advisory_xact_lock(${KEY_CHANGE_LOCK})`);
      const current = await em.findOne(
        SigningKey,
        { retiredAt: null },
        { orderBy: { createdAt: 'desc' } },
      );
      await work(new SigningKeyRepository(em, this.sql), current);
    });
  }

  create(fields: Pick<SigningKey, 'kid' | 'algorithm' | 'publicJwk' | 'privateKeySealed'>) {
    return this.em.create(SigningKey, fields);
  }

  /** The active key and those retired after `since`, newest first. */
  published(since: Date) {
    return this.em
      .fork()
      .find(
        SigningKey,
        { $or: [{ retiredAt: null }, { retiredAt: { $gt: since } }] },
        { orderBy: { createdAt: 'desc' } },
      );
  }
}
