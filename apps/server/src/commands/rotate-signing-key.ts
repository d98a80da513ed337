import { type Config, type Logger, loadSigningKeys } from '@timbrix/api';
import { resolveKeyEncryptionKey, withDatabase } from '../database.js';

/**
 * Retires the current signing key and makes a new one. Running servers sign with the new key
 * after their next refresh (at most a minute); the old public key stays in the JWKS until
 * every token it signed has expired.
 */
export function rotateSigningKey(config: Config, logger: Logger) {
  return withDatabase(config, logger, async (orm) => {
    const keys = await loadSigningKeys(orm, config, await resolveKeyEncryptionKey(config, logger));
    const { retired, current } = await keys.rotate();
    keys.stop();
    logger.info({ retired, current }, 'rotated the signing key');
  });
}
