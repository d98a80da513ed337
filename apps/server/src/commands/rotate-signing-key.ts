import type { Config } from '../config.js';
import { migrate, openDatabase } from '../db/orm.js';
import type { Logger } from '../logger.js';
import { provisionDatabase, resolveKeyEncryptionKey, signingKeysFor } from '../server.js';

/**
 * Retires the current signing key and makes a new one. Running servers sign with the new key
 * after their next refresh (at most a minute); the old public key stays in the JWKS until
 * every token it signed has expired.
 */
export async function rotateSigningKey(config: Config, logger: Logger) {
  const database = await provisionDatabase(config, logger);
  const orm = await openDatabase({ url: database.url });
  try {
    await migrate(orm);
    const keys = await signingKeysFor(orm, config, await resolveKeyEncryptionKey(config, logger));
    const { retired, current } = await keys.rotate();
    keys.stop();
    logger.info({ retired, current }, 'rotated the signing key');
  } finally {
    await orm.close();
    await database.embedded?.stop();
  }
}
