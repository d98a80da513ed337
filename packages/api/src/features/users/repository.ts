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
}
