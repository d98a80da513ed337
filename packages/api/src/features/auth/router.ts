import {
  loginInput,
  registeredUser,
  registerInput,
  sessionToken,
  signedIn,
} from '@timbrix/shared/schemas';
import { z } from 'zod';
import type { Context, SessionPrincipal } from '../../context.js';
import {
  AUTHED_ERRORS,
  allowedTo,
  operation,
  publicProcedure,
  router,
  sessionOf,
} from '../../trpc.js';
import { accountSigningIn } from './sign-in.js';

const SESSION_ERRORS = [...AUTHED_ERRORS, 'SESSION_REQUIRED' as const];

/** A session that came in the console's cookie ends with the cookie gone too. */
function forgetCookie(ctx: Context, session: SessionPrincipal) {
  if (session.via === 'cookie') {
    ctx.response.headers['Set-Cookie'] = ctx.services.sessions.cookie.clear();
  }
}

export const authRouter = router({
  register: publicProcedure
    .meta(
      operation(
        {
          method: 'POST',
          path: '/auth/register',
          tags: ['auth'],
          summary: 'Create an account',
          protect: false,
        },
        ['INVALID_INPUT', 'EMAIL_TAKEN', 'RATE_LIMITED'],
        201,
        ['RateLimit'],
      ),
    )
    .input(registerInput)
    .output(registeredUser)
    .mutation(async ({ ctx, input }) => {
      const { hasher, limits } = ctx.services;
      // Every attempt counts, before the argon2 work it would cost.
      const rate = await limits.consume(limits.rules.signupsPerIp, ctx.ip);
      if (rate) Object.assign(ctx.response.headers, rate);
      const user = await ctx.db.users.create({
        email: input.email,
        name: input.name ?? null,
        passwordHash: await hasher.hash(input.password),
      });
      return {
        id: user.id,
        email: user.email,
        name: user.name ?? null,
        createdAt: user.createdAt.toISOString(),
      };
    }),

  login: publicProcedure
    .meta(
      operation(
        {
          method: 'POST',
          path: '/auth/login',
          tags: ['auth'],
          summary: 'Sign in and get a session token',
          protect: false,
        },
        ['INVALID_INPUT', 'INVALID_CREDENTIALS', 'RATE_LIMITED'],
      ),
    )
    .input(loginInput)
    .output(sessionToken)
    .mutation(async ({ ctx, input }) => {
      const { sessions } = ctx.services;
      const userId = await accountSigningIn(ctx, input);
      return {
        accessToken: await sessions.issue(userId),
        tokenType: 'Bearer' as const,
        expiresIn: sessions.ttlSeconds,
      };
    }),

  /**
   * The console's sign-in (tRPC only): the session goes into the HttpOnly cookie, never to
   * the page's scripts. Other clients, and other origins, sign in with `login`.
   */
  signIn: publicProcedure
    .input(loginInput)
    .output(signedIn)
    .mutation(async ({ ctx, input }) => {
      const { sessions } = ctx.services;
      const userId = await accountSigningIn(ctx, input);
      // The browser's earlier session, if any, ends: one cookie, one live session.
      const { principal } = ctx;
      if (principal.kind === 'session' && principal.via === 'cookie') {
        await ctx.db.sessions.end(principal.sessionId);
      }
      const token = await sessions.issue(userId);
      ctx.response.headers['Set-Cookie'] = sessions.cookie.set(token, sessions.ttlSeconds);
      return { userId, expiresIn: sessions.ttlSeconds };
    }),

  logout: allowedTo('account:secure')
    .meta(
      operation(
        {
          method: 'POST',
          path: '/auth/logout',
          tags: ['auth'],
          summary: 'Sign out: this session token stops working at once',
          successDescription: 'Signed out',
          action: 'account:secure',
        },
        SESSION_ERRORS,
        204,
      ),
    )
    .input(z.void())
    .output(z.void())
    .mutation(async ({ ctx }) => {
      const session = sessionOf(ctx.principal);
      await ctx.db.sessions.end(session.sessionId);
      forgetCookie(ctx, session);
    }),

  logoutAll: allowedTo('account:secure')
    .meta(
      operation(
        {
          method: 'POST',
          path: '/auth/logout-all',
          tags: ['auth'],
          summary: 'Sign out everywhere: every session of the account stops working at once',
          successDescription: 'Signed out everywhere',
          action: 'account:secure',
        },
        SESSION_ERRORS,
        204,
      ),
    )
    .input(z.void())
    .output(z.void())
    .mutation(async ({ ctx }) => {
      const session = sessionOf(ctx.principal);
      await ctx.db.sessions.endAllOf(session.userId, null);
      forgetCookie(ctx, session);
    }),
});
