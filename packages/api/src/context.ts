import type { EntityManager } from '@mikro-orm/postgresql';
import { type Repositories, repositories } from './db/repositories.js';
import type { ApiError } from './errors/codes.js';
import { actorOf, type EventOrigin, eventOrigin } from './features/events/record.js';
import type { Principal } from './principals.js';
import type { Services } from './services.js';

export {
  type Anonymous,
  type Caller,
  credentialOf,
  type Principal,
  personOf,
  type SessionPrincipal,
  type TokenPrincipal,
} from './principals.js';

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
  /**
   * What went wrong while the adapter worked out who is calling (the database away while a
   * session was checked): the first middleware throws it, so it is answered in the
   * transport's own shape, as any procedure error is.
   */
  failure?: ApiError | undefined;
  /** The organization the caller names for calls whose input names none (X-Organization-Id). */
  organizationId: string | undefined;
  requestId: string;
  /** The client's address, as the server trusts it (rate limits count by it). */
  ip: string;
  /** Who is calling and from where, as the events this call records name them. */
  origin: EventOrigin;
  /** What the answer carries besides its body: headers (rate limits, Link), set by procedures. */
  response: { headers: Record<string, string> };
}

export interface ContextOptions {
  transport: Context['transport'];
  principal: Principal;
  failure?: ApiError | undefined;
  organizationId?: string | undefined;
  requestId: string;
  ip: string;
  userAgent?: string | undefined;
}

export function createContext(services: Services, options: ContextOptions): Context {
  const em = services.orm.em.fork();
  const { userAgent, ...rest } = options;
  const origin = eventOrigin(actorOf(options.principal), { ...options, userAgent });
  return {
    ...rest,
    organizationId: options.organizationId,
    services,
    em,
    origin,
    db: repositories(em, services.sql, origin),
    response: { headers: {} },
  };
}
