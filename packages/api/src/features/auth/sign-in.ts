import type { LoginInput } from '@timbrix/shared/schemas';
import type { Context } from '../../context.js';
import { ApiError } from '../../errors/codes.js';

/**
 * The account `email` and `password` sign in to, or INVALID_CREDENTIALS. Failed attempts
 * count per account and address, and per address, before the argon2 work; an unknown
 * account costs the same work as a wrong password.
 */
export async function accountSigningIn(ctx: Context, { email, password }: LoginInput) {
  const { limits, hasher } = ctx.services;
  const attempt = await limits.attempt(
    [limits.rules.loginFailuresPerIp, ctx.ip],
    [limits.rules.loginFailuresPerAccountIp, email, ctx.ip],
  );
  const user = await ctx.db.users.credentials(email);
  const valid = user
    ? await hasher.verify(user.passwordHash, password)
    : await hasher.verifyDecoy(password);
  if (!user || !valid) throw new ApiError('INVALID_CREDENTIALS');
  await attempt.succeeded();
  return user.id;
}
