import { z } from 'zod';

/** Every scope an OAuth app can hold, in the documented order. */
export const SCOPES = [
  'read:user',
  'write:user',
  'read:organization',
  'write:organization',
  'read:members',
  'write:members',
  'read:webhooks',
  'write:webhooks',
  'admin:organization',
  'admin:all',
] as const;

export type Scope = (typeof SCOPES)[number];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'read:user': 'Read user information',
  'write:user': 'Modify user information',
  'read:organization': 'Read organization data',
  'write:organization': 'Modify organization data',
  'read:members': 'Read member information',
  'write:members': 'Modify members',
  'read:webhooks': 'Read webhook configuration',
  'write:webhooks': 'Manage webhooks',
  'admin:organization': 'Full organization admin access',
  'admin:all': 'Full system access',
};

/** Scopes that reach beyond one organization: only a platform administrator may grant them. */
export const PLATFORM_SCOPES: readonly Scope[] = ['admin:all'];

/** Whether `value` names a scope of this server. */
export const isScope = (value: string): value is Scope =>
  (SCOPES as readonly string[]).includes(value);

export const scopeSchema = z.enum(SCOPES, {
  error: (issue) =>
    `unknown scope ${JSON.stringify(issue.input)}; expected one of: ${SCOPES.join(', ')}`,
});
