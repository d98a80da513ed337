import type { MikroORM } from '@mikro-orm/postgresql';

interface PgConnection {
  query<T>(query: { name: string; text: string; values: unknown[] }): Promise<{
    rows: T[];
    rowCount: number | null;
  }>;
}

interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

/**
 * The few statements on the hot paths (client authentication, token issue and
 * introspection, rate-limit counters), run as named prepared statements on a connection of
 * the ORM's own pool: no query builder on the way, and PostgreSQL parses and plans each one
 * once per connection. Everything else goes through the ORM.
 */
export class Statements {
  private readonly pool: PoolClient;

  constructor(orm: MikroORM) {
    this.pool = orm.em.getConnection().getKnex().client as unknown as PoolClient;
  }

  async run<T = Record<string, unknown>>(name: string, text: string, values: unknown[]) {
    const connection = await this.pool.acquireConnection();
    try {
      const result = await connection.query<T>({ name, text, values });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } finally {
      await this.pool.releaseConnection(connection);
    }
  }
}
