import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { AccessTokenRepository } from '../features/access-tokens/repository.js';
import { AuthorizationRepository } from '../features/authorizations/repository.js';
import { AuthorizationRequestRepository } from '../features/authorizations/request-repository.js';
import { InvitationRepository } from '../features/invitations/repository.js';
import { MembershipRepository } from '../features/memberships/repository.js';
import { OAuthAppRepository } from '../features/oauth-apps/repository.js';
import { OrganizationRepository } from '../features/organizations/repository.js';
import { SessionRepository } from '../features/sessions/repository.js';
import { UserRepository } from '../features/users/repository.js';
import { Statements } from './statements.js';

/** Every repository, on one unit of work. */
export function repositories(em: EntityManager, sql: Statements) {
  return {
    users: new UserRepository(em, sql),
    sessions: new SessionRepository(em, sql),
    organizations: new OrganizationRepository(em, sql),
    memberships: new MembershipRepository(em, sql),
    invitations: new InvitationRepository(em, sql),
    oauthApps: new OAuthAppRepository(em, sql),
    accessTokens: new AccessTokenRepository(em, sql),
    authorizations: new AuthorizationRepository(em, sql),
    authorizationRequests: new AuthorizationRequestRepository(em, sql),
  };
}

export type Repositories = ReturnType<typeof repositories>;

/** Repositories on a unit of work of their own, for work outside any request (commands). */
export function repositoriesOf(orm: MikroORM): Repositories {
  return repositories(orm.em.fork(), new Statements(orm));
}
