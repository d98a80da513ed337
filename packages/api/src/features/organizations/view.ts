import type { Organization } from './entity.js';

/** An organization as the API shows it. */
export const organizationView = (organization: Organization) => ({
  id: organization.id,
  name: organization.name,
  slug: organization.slug,
  logo: organization.logo ?? null,
  // Every organization is on the free plan until billing exists.
  plan: 'free' as const,
  ownerId: organization.owner.id,
  createdAt: organization.createdAt.toISOString(),
  updatedAt: organization.updatedAt.toISOString(),
});
