import { loginInput, registeredUser, registerInput, sessionToken } from '@timbrix/shared/schemas';
import { TRPCError } from '@trpc/server';
import { User } from '../db/entities/index.js';
import { publicProcedure, router } from '../trpc.js';

const INVALID_CREDENTIALS = 'Invalid email or password';

export const authRouter = router({
  register: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/register',
        tags: ['auth'],
        summary: 'Create an account',
        protect: false,
        errorResponses: {
          400: 'Invalid input data',
          409: 'An account with this email exists',
          429: 'Too many sign-ups from this address; see Retry-After',
        },
      },
      successStatus: 201,
    })
    .input(registerInput)
    .output(registeredUser)
    .mutation(async ({ ctx, input }) => {
      const { hasher, limits } = ctx.services;
      // Every attempt counts, before the argon2 work it would cost.
      const rate = await limits.consume(limits.rules.signupsPerIp, ctx.req.ip ?? 'unknown');
      if (rate) ctx.res.set(rate);
      const user = ctx.em.create(User, {
        email: input.email,
        name: input.name ?? null,
        passwordHash: await hasher.hash(input.password),
      });
      await ctx.em.flush();
      return {
        id: user.id,
        email: user.email,
        name: user.name ?? null,
        createdAt: user.createdAt.toISOString(),
      };
    }),

  login: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/login',
        tags: ['auth'],
        summary: 'Sign in and get a session token',
        protect: false,
        errorResponses: {
          400: 'Invalid input data',
          401: INVALID_CREDENTIALS,
          429: 'Too many failed sign-ins from this address; see Retry-After',
        },
      },
    })
    .input(loginInput)
    .output(sessionToken)
    .mutation(async ({ ctx, input }) => {
      const { sessions, limits, hasher } = ctx.services;
      // Failed sign-ins count per account and address, and per address.
      const ip = ctx.req.ip ?? 'unknown';
      const attempt = await limits.attempt(
        [limits.rules.loginFailuresPerIp, ip],
        [limits.rules.loginFailuresPerAccountIp, input.email, ip],
      );
      const user = await ctx.em.findOne(
        User,
        { email: input.email },
        { fields: ['id', 'passwordHash'] },
      );
      // The same argon2 work whether or not the account exists.
      const valid = user
        ? await hasher.verify(user.passwordHash, input.password)
        : await hasher.verifyDecoy(input.password);
      if (!user || !valid)
        throw new TRPCError({ code: 'UNAUTHORIZED', message: INVALID_CREDENTIALS });
      await attempt.succeeded();
      return {
        accessToken: await sessions.issue(user.id),
        tokenType: 'Bearer' as const,
        expiresIn: sessions.ttlSeconds,
      };
    }),
});
