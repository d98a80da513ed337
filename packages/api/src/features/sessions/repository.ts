import { Repository } from '../../db/repository.js';

/** Session rows, by prepared statement: one is read on every signed-in request. */
export class SessionRepository extends Repository {
  async insert(id: string, userId: string, expiresAt: Date): Promise<void> {
    await this.sql.run(
      'insert-session',
      'insert into sessions (id, user_id, expires_at) values ($1, $2, $3)',
      [id, userId, expiresAt],
    );
  }

  /** Whether session `id` of `userId` exists and has not expired. */
  async isLive(id: string, userId: string): Promise<boolean> {
    const { rowCount } = await this.sql.run(
      'live-session',
      'select 1 from sessions where id = $1 and user_id = $2 and expires_at > now()',
      [id, userId],
    );
    return rowCount > 0;
  }

  async end(id: string): Promise<void> {
    await this.sql.run('end-session', 'delete from sessions where id = $1', [id]);
  }

  /** Ends every session of the person but `keep` (none kept when it is null). */
  async endAllOf(userId: string, keep: string | null): Promise<void> {
    await this.sql.run(
      'end-sessions-of-user',
      'delete from sessions where user_id = $1 and ($2::uuid is null or id <> $2::uuid)',
      [userId, keep],
    );
  }

  async pruneExpired(): Promise<number> {
    const { rowCount } = await this.sql.run(
      'prune-sessions',
      'delete from sessions where expires_at < now()',
      [],
    );
    return rowCount;
  }
}
