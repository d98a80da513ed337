import type { Config } from '../config.js';
import { User } from '../db/entities/index.js';
import { migrate, openDatabase } from '../db/orm.js';
import type { Logger } from '../logger.js';
import { provisionDatabase } from '../server.js';

/** Marks an existing account as a platform administrator. */
export async function grantPlatformAdmin(config: Config, logger: Logger, email: string) {
  const database = await provisionDatabase(config, logger);
  const orm = await openDatabase({ url: database.url });
  try {
    await migrate(orm);
    const updated = await orm.em
      .fork()
      .nativeUpdate(User, { email: email.trim().toLowerCase() }, { isPlatformAdmin: true });
    if (updated === 0) throw new Error(`No account has the email ${email}`);
    logger.info({ email }, 'granted platform administrator');
  } finally {
    await orm.close();
    await database.embedded?.stop();
  }
}
