import {
  appByIdInput,
  authorizationRedirect,
  authorizationRequestInput,
  authorizedApp,
  consentDecisionInput,
  openedAuthorizationRequest,
} from '@timbrix/shared/schemas';
import { z } from 'zod';
import { ApiError } from '../../errors/codes.js';
import { type Caller, personOf } from '../../principals.js';
import {
  AUTHED_ERRORS,
  allowedTo,
  operation,
  router,
  SCOPED_ERRORS,
  sessionOf,
} from '../../trpc.js';
import type { ConsoleSession } from './requests.js';

/** The console's own session: consent is given in the browser, through its cookie. */
function consoleSession(caller: Caller): ConsoleSession {
  const session = sessionOf(caller);
  if (session.via !== 'cookie') throw new ApiError('CONSOLE_SESSION_REQUIRED');
  return session;
}

/**
 * What people authorize apps to do: the consent screen's two calls (tRPC only: the console
 * makes them, with its cookie), and the list of authorized apps with its revoke.
 */
export const authorizationsRouter = router({
  /** Opens a pending request: what to ask, or where the browser goes when nothing is to ask. */
  open: allowedTo('authorizations:manage')
    .input(authorizationRequestInput)
    .output(openedAuthorizationRequest)
    .mutation(({ ctx, input }) =>
      ctx.services.authorizationRequests.open(input.requestId, consoleSession(ctx.principal)),
    ),

  /** Approves or denies it: where the browser goes next (the app's redirect URI). */
  decide: allowedTo('authorizations:manage')
    .input(consentDecisionInput)
    .output(authorizationRedirect)
    .mutation(async ({ ctx, input }) => {
      const redirectTo = await ctx.services.authorizationRequests.decide(
        input.requestId,
        consoleSession(ctx.principal),
        input.decisionToken,
        input.approve,
      );
      return { status: 'redirect' as const, redirectTo };
    }),

  list: allowedTo('authorizations:read')
    .meta(
      operation(
        {
          method: 'GET',
          path: '/users/me/authorizations',
          tags: ['users'],
          action: 'authorizations:read',
          summary: 'The apps you have authorized to act for you, most recently authorized first',
        },
        [...AUTHED_ERRORS, ...SCOPED_ERRORS, 'PERSON_REQUIRED'],
      ),
    )
    .input(z.void())
    .output(z.array(authorizedApp))
    .query(async ({ ctx }) => {
      const rows = await ctx.db.authorizations.ofPerson(personOf(ctx.principal)!);
      return rows.map((row) => ({
        clientId: row.client_id,
        appName: row.app_name,
        organization: { id: row.organization_id, name: row.organization_name },
        scopes: row.scopes,
        authorizedAt: new Date(row.authorized_at).toISOString(),
        lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
      }));
    }),

  revoke: allowedTo('authorizations:manage')
    .meta(
      operation(
        {
          method: 'DELETE',
          path: '/users/me/authorizations/{clientId}',
          tags: ['users'],
          action: 'authorizations:manage',
          summary:
            'Revoke an app’s authorization: your consent, and every code, access token and refresh token it was given for you, end at once',
          successDescription: 'Revoked',
        },
        [...AUTHED_ERRORS, 'SESSION_REQUIRED', 'INVALID_INPUT', 'AUTHORIZATION_NOT_FOUND'],
        204,
      ),
    )
    .input(appByIdInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      const revoked = await ctx.db.authorizations.revokeOfPerson(
        sessionOf(ctx.principal).userId,
        input.clientId,
      );
      if (!revoked) throw new ApiError('AUTHORIZATION_NOT_FOUND');
    }),
});
