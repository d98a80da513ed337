import { Repository } from '../../db/repository.js';
import { User } from './entity.js';

export class UserRepository extends Repository {
  async create(fields: { email: string; name: string | null; passwordHash: string }) {
    const user = this.em.create(User, fields);
    await this.em.flush();
    return user;
  }

  byId(id: string) {
    return this.em.findOne(User, id);
  }

  /** What signing in needs, and nothing more. */
  credentials(email: string) {
    return this.em.findOne(User, { email }, { fields: ['id', 'passwordHash'] });
  }

  /** The password hash of the account `id`, to check a password against. */
  async passwordHash(id: string): Promise<string | undefined> {
    const user = await this.em.findOne(User, id, { fields: ['passwordHash'] });
    return user?.passwordHash;
  }

  async isPlatformAdmin(id: string): Promise<boolean> {
    const user = await this.em.findOne(User, id, { fields: ['isPlatformAdmin'] });
    return user?.isPlatformAdmin === true;
  }

  /** The account with `email`, made a platform administrator or no longer one; null if none. */
  async setPlatformAdmin(email: string, isPlatformAdmin: boolean) {
    const user = await this.em.findOne(User, { email: email.trim().toLowerCase() });
    if (!user) return null;
    user.isPlatformAdmin = isPlatformAdmin;
    await this.em.flush();
    return user;
  }

  /** Whether `userId` and `viewerId` belong to at least one organization together. */
  async shareAnOrganization(userId: string, viewerId: string): Promise<boolean> {
    const { rowCount } = await this.sql.run(
      'users-share-an-organization',
      `select 1 from memberships a join memberships b on b.organization_id = a.organization_id
        where a.user_id = $1 and b.user_id = $2 limit 1`,
      [userId, viewerId],
    );
    return rowCount > 0;
  }

  async rename(id: string, name: string | null) {
    const user = await this.em.findOneOrFail(User, id);
    user.name = name;
    await this.em.flush();
    return user;
  }

  /** Sets a new password and ends every other session of the person, in one statement. */
  async changePassword(id: string, passwordHash: string, keepSessionId: string): Promise<void> {
    await this.sql.run(
      'change-password',
      `with changed as (update users set password_hash = $2, updated_at = now() where id = $1)
       delete from sessions where user_id = $1 and id <> $3`,
      [id, passwordHash, keepSessionId],
    );
  }
}
