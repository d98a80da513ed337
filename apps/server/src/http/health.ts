import type { MikroORM } from '@mikro-orm/postgresql';
import type { RequestHandler } from 'express';

/** Up as soon as the server listens; never touches the database. */
export const health: RequestHandler = (_req, res) => {
  res.json({ status: 'ok' });
};

/** Ready only while the database answers. */
export function ready(orm: MikroORM): RequestHandler {
  return async (_req, res) => {
    try {
      await orm.em.getConnection().execute('select 1');
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable', message: 'The database is not answering' });
    }
  };
}
