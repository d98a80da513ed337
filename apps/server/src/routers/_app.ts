import { type Meta, router } from '../trpc.js';
import { authRouter } from './auth.js';
import { invitesRouter } from './invites.js';
import { oauthAppsRouter } from './oauthApps.js';
import { organizationsRouter } from './organizations.js';
import { usersRouter } from './users.js';

export const appRouter = router({
  auth: authRouter,
  users: usersRouter,
  organizations: organizationsRouter,
  invites: invitesRouter,
  oauthApps: oauthAppsRouter,
});

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

/** The API's type, for typed clients (`@timbrix/client`). */
export type AppRouter = typeof appRouter;
