import { loginInput, registeredUser, registerInput, sessionToken } from '@timbrix/shared/schemas';
import { z } from 'zod';
import { ApiError } from '../../errors/codes.js';
import {
  AUTHED_ERRORS,
  allowedTo,
  operation,
  publicProcedure,
  router,
  sessionOf,
} from '../../trpc.js';

const SESSION_ERRORS = [...AUTHED_ERRORS, 'SESSION_REQUIRED' as const];

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
      const { sessions, limits, hasher } = ctx.services;
      // Failed sign-ins count per account and address, and per address.
      const attempt = await limits.attempt(
        [limits.rules.loginFailuresPerIp, ctx.ip],
        [limits.rules.loginFailuresPerAccountIp, input.email, ctx.ip],
      );
      const user = await ctx.db.users.credentials(input.email);
      // The same argon2 work whether or not the account exists.
      const valid = user
        ? await hasher.verify(user.passwordHash, input.password)
        : await hasher.verifyDecoy(input.password);
      if (!user || !valid) throw new ApiError('INVALID_CREDENTIALS');
      await attempt.succeeded();
      return {
        accessToken: await sessions.issue(user.id),
        tokenType: 'Bearer' as const,
        expiresIn: sessions.ttlSeconds,
      };
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
      await ctx.db.sessions.end(sessionOf(ctx.principal).sessionId);
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
      await ctx.db.sessions.endAllOf(sessionOf(ctx.principal).userId, null);
    }),
});
