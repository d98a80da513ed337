import { tokensRouter } from './features/access-tokens/router.js';
import { apiKeysRouter } from './features/api-keys/router.js';
import { authRouter } from './features/auth/router.js';
import { authorizationsRouter } from './features/authorizations/router.js';
import { auditLogRouter } from './features/events/router.js';
import { invitationsRouter } from './features/invitations/router.js';
import { membersRouter } from './features/memberships/router.js';
import { oauthAppsRouter } from './features/oauth-apps/router.js';
import { organizationsRouter } from './features/organizations/router.js';
import { usersRouter } from './features/users/router.js';
import { webhooksRouter } from './features/webhooks/router.js';
import { type Meta, router } from './trpc.js';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  organizations: organizationsRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  oauthApps: oauthAppsRouter,
  tokens: tokensRouter,
  authorizations: authorizationsRouter,
  webhooks: webhooksRouter,
  auditLog: auditLogRouter,
  apiKeys: apiKeysRouter,
});

/** The API's type, for typed clients (`@timbrix/client`). */
export type AppRouter = typeof appRouter;

interface ProcedureDefinition {
  meta?: Meta;
  inputs: { meta?: () => { id?: string } | undefined }[];
}

/** Each procedure's definition by path, for the REST adapter and the OpenAPI document. */
export const procedureDefinitions = new Map(
  Object.entries(appRouter._def.procedures).map(([path, procedure]) => [
    path,
    (procedure as unknown as { _def: ProcedureDefinition })._def,
  ]),
);
