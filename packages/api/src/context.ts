import type { EntityManager } from '@mikro-orm/postgresql';
import type { Credential } from '@timbrix/shared/authorization';
import type { Scope } from '@timbrix/shared/scopes';
import { type Repositories, repositories } from './db/repositories.js';
import type { Services } from './services.js';

/**
 * Who is calling: nobody, a person with a session, or an OAuth access token (an app's, acting
 * for its organization; a person's, once the authorization code grant exists). What each may
 * do is the table in `@timbrix/shared/authorization`.
 */
export type Principal = Anonymous | Caller;
export type Caller = SessionPrincipal | TokenPrincipal;

export interface Anonymous {
  kind: 'anonymous';
  /** A bearer credential was sent but is not valid (RFC 6750 `invalid_token`). */
  rejected?: boolean;
}

export interface SessionPrincipal {
  kind: 'session';
  userId: string;
  sessionId: string;
}

export interface TokenPrincipal {
  kind: 'token';
  /** The token's `jti`. */
  tokenId: string;
  appId: string;
  clientId: string;
  /** The app's organization: the one an app's own token acts for. */
  organizationId: string;
  scopes: Scope[];
  /** The person who granted it, for a person's token; null for the app's own. */
  userId: string | null;
}

/** Which row of the authorization table a caller's credential reads. */
export const credentialOf = (caller: Caller): Credential =>
  caller.kind === 'session' ? 'session' : caller.userId ? 'user_token' : 'app_token';

/** The person behind a call, if a person is behind it. */
export const personOf = (caller: Caller): string | null => caller.userId;

/**
 * What a procedure runs with, whatever carried the call: no request or response objects of
 * any transport. The adapters build it (see the server's `http/context.ts`); tests build it
 * directly and call procedures through `createCaller`.
 */
export interface Context {
  /** Which adapter the call came through: errors take that transport's shape. */
  transport: 'rest' | 'trpc' | 'caller';
  services: Services;
  /** The request's own unit of work. */
  em: EntityManager;
  /** The repositories, on that unit of work. */
  db: Repositories;
  principal: Principal;
  /** The organization the caller names for calls whose input names none (X-Organization-Id). */
  organizationId: string | undefined;
  requestId: string;
  /** The client's address, as the server trusts it (rate limits count by it). */
  ip: string;
  /** What the answer carries besides its body: headers (rate limits, Link), set by procedures. */
  response: { headers: Record<string, string> };
}

export interface ContextOptions {
  transport: Context['transport'];
  principal: Principal;
  organizationId?: string | undefined;
  requestId: string;
  ip: string;
}

export function createContext(services: Services, options: ContextOptions): Context {
  const em = services.orm.em.fork();
  return {
    ...options,
    organizationId: options.organizationId,
    services,
    em,
    db: repositories(em, services.sql),
    response: { headers: {} },
  };
}
