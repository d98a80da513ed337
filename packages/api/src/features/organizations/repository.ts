import { Repository } from '../../db/repository.js';
import { Membership } from '../memberships/entity.js';
import { User } from '../users/entity.js';
import { Organization } from './entity.js';

export class OrganizationRepository extends Repository {
  /** A new organization and its owner's membership, in one flush. */
  async create(
    fields: { name: string; slug: string; logo: string | null },
    ownerId: string,
  ): Promise<Organization> {
    const owner = this.em.getReference(User, ownerId);
    const organization = this.em.create(Organization, { ...fields, owner });
    this.em.create(Membership, { organization, user: owner, role: 'owner' });
    await this.em.flush();
    return organization;
  }
}
