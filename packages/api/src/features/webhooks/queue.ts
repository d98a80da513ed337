import { Logger as QueueLogger, runMigrations } from 'graphile-worker';
import type { Logger } from '../../logger.js';

/** The job that sends one delivery (or an organization's farewell) to one webhook. */
export const DELIVER_TASK = 'deliver_webhook';

/** graphile-worker's own messages, through our logger. */
export function queueLogger(logger: Logger | undefined) {
  return new QueueLogger(() => (level, message, meta) => {
    if (!logger) return;
    const fields = { component: 'queue', ...meta };
    if (level === 'error') logger.error(fields, message);
    else if (level === 'warning') logger.warn(fields, message);
    else logger.debug(fields, message);
  });
}

/**
 * Installs or upgrades graphile-worker's schema (`graphile_worker`): the durable queue that
 * webhook deliveries go through. Safe to run from several processes at once.
 */
export async function installQueue(connectionString: string, logger?: Logger): Promise<void> {
  await runMigrations({ connectionString, logger: queueLogger(logger) });
}
