import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { installQueue } from '../features/webhooks/queue.js';
import { entities } from './entities.js';
import { migrations } from './migrations/index.js';

export interface DatabaseOptions {
  url: string;
  poolMax?: number;
  /** Where the ORM's own messages (migrations applied, ...) go. */
  log?: (message: string) => void;
}

/**
 * Fail fast when the database is away: a connection that can't be made within 1.5 s fails
 * every request waiting for it at once (knex propagates create errors), and no request
 * waits longer than 1.8 s for a free connection. No statement runs longer than 5 s.
 */
const CONNECT_TIMEOUT_MS = 1500;
const ACQUIRE_TIMEOUT_MS = 1800;
const STATEMENT_TIMEOUT_MS = 5000;

export function ormOptions({ url, poolMax = 10, log = () => {} }: DatabaseOptions): Options {
  return {
    logger: log,
    colors: false,
    clientUrl: url,
    entities,
    extensions: [Migrator],
    migrations: {
      migrationsList: migrations,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
    },
    pool: {
      min: 0,
      max: poolMax,
      acquireTimeoutMillis: ACQUIRE_TIMEOUT_MS,
      createTimeoutMillis: CONNECT_TIMEOUT_MS,
      propagateCreateError: true,
      idleTimeoutMillis: 30_000,
    },
    driverOptions: {
      connection: {
        connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        statement_timeout: STATEMENT_TIMEOUT_MS,
        application_name: 'timbrix',
      },
      // knex's own notices (a pooled connection that died, ...) go where ours go.
      log: { warn: log, error: log, deprecate: log, debug: () => {} },
      // Error messages carry SQL with placeholders, never the values (hashes, emails).
      compileSqlOnError: false,
    },
    allowGlobalContext: false,
    debug: false,
    // Entities come from code, not from a folder scan; nothing to discover at run time.
    discovery: { warnWhenNoEntities: true },
    ensureDatabase: false,
    // The job queue's schema is graphile-worker's own, installed by its migrations.
    schemaGenerator: { ignoreSchema: ['graphile_worker'] },
  };
}

export function openDatabase(options: DatabaseOptions): Promise<MikroORM> {
  return MikroORM.init(ormOptions(options));
}

/**
 * Applies pending migrations, then installs the job queue's schema. Several processes may
 * start at once on one database, so they take turns under an advisory lock.
 */
export async function migrate(orm: MikroORM): Promise<void> {
  const connection = orm.em.getConnection();
  await connection.transactional(async (trx) => {
    await connection.execute('select pg_advisory_xact_lock(7270010)', [], 'all', trx);
    // A migration may take longer than any request should.
    await connection.execute('set local statement_timeout = 0', [], 'run', trx);
    await orm.getMigrator().up({ transaction: trx });
  });
  await installQueue(orm.config.get('clientUrl')!);
}

export type { MikroORM };
