import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { AccessTokenRepository } from '../features/access-tokens/repository.js';
import { ApiKeyRepository } from '../features/api-keys/repository.js';
import { AuthorizationRepository } from '../features/authorizations/repository.js';
import { AuthorizationRequestRepository } from '../features/authorizations/request-repository.js';
import type { EventOrigin } from '../features/events/record.js';
import { EventRepository } from '../features/events/repository.js';
import { InvitationRepository } from '../features/invitations/repository.js';
import { MembershipRepository } from '../features/memberships/repository.js';
import { OAuthAppRepository } from '../features/oauth-apps/repository.js';
import { OrganizationRepository } from '../features/organizations/repository.js';
import { SessionRepository } from '../features/sessions/repository.js';
import { UserRepository } from '../features/users/repository.js';
import { WebhookRepository } from '../features/webhooks/repository.js';
import { Statements } from './statements.js';

/** Every repository, on one unit of work, recording what it changes as caused by `origin`. */
export function repositories(em: EntityManager, sql: Statements, origin?: EventOrigin) {
  return {
    users: new UserRepository(em, sql, origin),
    sessions: new SessionRepository(em, sql, origin),
    organizations: new OrganizationRepository(em, sql, origin),
    memberships: new MembershipRepository(em, sql, origin),
    invitations: new InvitationRepository(em, sql, origin),
    oauthApps: new OAuthAppRepository(em, sql, origin),
    accessTokens: new AccessTokenRepository(em, sql, origin),
    authorizations: new AuthorizationRepository(em, sql, origin),
    authorizationRequests: new AuthorizationRequestRepository(em, sql, origin),
    events: new EventRepository(em, sql, origin),
    webhooks: new WebhookRepository(em, sql, origin),
    apiKeys: new ApiKeyRepository(em, sql, origin),
  };
}

export type Repositories = ReturnType<typeof repositories>;

/** Repositories on a unit of work of their own, for work outside any request (commands). */
export function repositoriesOf(orm: MikroORM): Repositories {
  return repositories(orm.em.fork(), new Statements(orm));
}
