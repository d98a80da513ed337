import { PLATFORM_SCOPES } from '@timbrix/shared/scopes';
import type { Config } from '../config.js';
import { OAuthApp, User } from '../db/entities/index.js';
import { migrate, openDatabase } from '../db/orm.js';
import type { Logger } from '../logger.js';
import { provisionDatabase } from '../server.js';

/**
 * Makes an existing account a platform administrator, or no longer one. This command, run by
 * someone with access to the server, is the only way the status changes: nothing a person
 * can do over the API grants it. Takes effect at the account's next request.
 */
export async function setPlatformAdmin(
  config: Config,
  logger: Logger,
  email: string,
  isPlatformAdmin: boolean,
) {
  const database = await provisionDatabase(config, logger);
  const orm = await openDatabase({ url: database.url });
  try {
    await migrate(orm);
    const em = orm.em.fork();
    const user = await em.findOne(User, { email: email.trim().toLowerCase() });
    if (!user) throw new Error(`No account has the email ${email}`);
    user.isPlatformAdmin = isPlatformAdmin;
    await em.flush();
    logger.info(
      { email: user.email },
      isPlatformAdmin ? 'granted platform administrator' : 'revoked platform administrator',
    );
    if (!isPlatformAdmin) {
      // Apps keep working: they may be services others depend on. Say which, so they can be
      // deactivated if they should stop.
      const apps = await em.find(
        OAuthApp,
        { createdBy: user.id, scopes: { $overlap: [...PLATFORM_SCOPES] }, isActive: true },
        { fields: ['clientId'] },
      );
      if (apps.length > 0) {
        logger.warn(
          { clientIds: apps.map((app) => app.clientId) },
          `apps this account created with ${PLATFORM_SCOPES.join(', ')} stay active; deactivate them if they should stop`,
        );
      }
    }
  } finally {
    await orm.close();
    await database.embedded?.stop();
  }
}
