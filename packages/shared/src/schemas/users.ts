import { z } from 'zod';
import { idSchema } from './common.js';
import { organizationMembership } from './organizations.js';

export const currentUser = z.object({
  id: idSchema,
  email: z.string(),
  name: z.string().nullable(),
  isPlatformAdmin: z.boolean(),
  organizations: z.array(organizationMembership),
});
