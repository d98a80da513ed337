import { type Config, type Logger, repositoriesOf } from '@timbrix/api';
import { PLATFORM_SCOPES } from '@timbrix/shared/scopes';
import { withDatabase } from '../database.js';

/**
 * Makes an existing account a platform administrator, or no longer one. This command, run by
 * someone with access to the server, is the only way the status changes: nothing a person
 * can do over the API grants it. Takes effect at the account's next request.
 */
export function setPlatformAdmin(
  config: Config,
  logger: Logger,
  email: string,
  isPlatformAdmin: boolean,
) {
  return withDatabase(config, logger, async (orm) => {
    const db = repositoriesOf(orm);
    const user = await db.users.setPlatformAdmin(email, isPlatformAdmin);
    if (!user) throw new Error(`No account has the email ${email}`);
    logger.info(
      { email: user.email },
      isPlatformAdmin ? 'granted platform administrator' : 'revoked platform administrator',
    );
    if (isPlatformAdmin) return;
    // Apps keep working: they may be services others depend on. Say which, so they can be
    // deactivated if they should stop.
    const apps = await db.oauthApps.activeCreatedBy(user.id, PLATFORM_SCOPES);
    if (apps.length > 0) {
      logger.warn(
        { clientIds: apps.map((app) => app.clientId) },
        `apps this account created with ${PLATFORM_SCOPES.join(', ')} stay active; deactivate them if they should stop`,
      );
    }
  });
}
