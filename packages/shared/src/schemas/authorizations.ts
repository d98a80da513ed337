import { z } from 'zod';
import { scopeSchema } from '../scopes.js';
import { idSchema, timestampSchema } from './common.js';
import { clientIdSchema } from './oauth-apps.js';

/** 256 random bits, base64url: the handle of a pending request, or a consent's one-time value. */
const handle = (name: string) =>
  z
    .string({ error: `${name} must be a string` })
    .regex(/^[A-Za-z0-9_-]{43}$/, `${name} is not one this server issued`);

export const authorizationRequestInput = z.object({ requestId: handle('requestId') });

export const consentDecisionInput = z.object({
  requestId: handle('requestId'),
  decisionToken: handle('decisionToken'),
  approve: z.boolean({ error: 'approve must be true or false' }),
});

/** Where the console sends the browser next: the app's registered redirect URI, with the answer. */
export const authorizationRedirect = z.object({
  status: z.literal('redirect'),
  redirectTo: z.string(),
});

/** What the consent screen shows, and the one-time value its answer must carry. */
export const consentPrompt = z.object({
  status: z.literal('consent'),
  app: z.object({ clientId: clientIdSchema, name: z.string(), description: z.string().nullable() }),
  organization: z.object({ id: idSchema, name: z.string() }),
  /** The host the answer goes back to (the registered redirect URI's). */
  redirectHost: z.string(),
  scopes: z.array(z.object({ scope: scopeSchema, description: z.string() })),
  decisionToken: z.string(),
});

export const openedAuthorizationRequest = z.discriminatedUnion('status', [
  consentPrompt,
  authorizationRedirect,
]);
export type OpenedAuthorizationRequest = z.infer<typeof openedAuthorizationRequest>;

/** An app a person has authorized, as their account lists it. */
export const authorizedApp = z.object({
  clientId: clientIdSchema,
  appName: z.string(),
  organization: z.object({ id: idSchema, name: z.string() }),
  scopes: z.array(scopeSchema),
  authorizedAt: timestampSchema,
  lastUsedAt: timestampSchema.nullable(),
});
export type AuthorizedApp = z.infer<typeof authorizedApp>;
