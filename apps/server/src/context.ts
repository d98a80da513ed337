import type { IncomingMessage } from 'node:http';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Hasher } from './auth/passwords.js';
import type { Sessions } from './auth/sessions.js';
import type { SigningKeys } from './auth/signing-keys.js';
import type { Config } from './config.js';
import type { MikroORM } from './db/orm.js';
import type { Statements } from './db/statements.js';
import type { RateLimiter } from './limits/rate-limiter.js';
import type { AccessTokens } from './oauth/access-tokens.js';
import type { ClientAuthenticator } from './oauth/client-auth.js';

/** What the running server is made of; built once at start. */
export interface Services {
  config: Config & { issuerUrl: string };
  orm: MikroORM;
  /** Prepared statements for the hot paths. */
  sql: Statements;
  keys: SigningKeys;
  /** Argon2id for passwords and client secrets, a bounded queue of jobs. */
  hasher: Hasher;
  sessions: Sessions;
  clients: ClientAuthenticator;
  tokens: AccessTokens;
  limits: RateLimiter;
  logger: Logger;
}

export interface Context {
  transport: 'rest' | 'trpc';
  req: Request;
  res: Response;
  /** A unit of work of its own for every request. */
  em: EntityManager;
  services: Services;
}

export function contextFactory(services: Services, transport: Context['transport']) {
  // Both adapters run inside express, so their node requests are express requests.
  return ({ req, res }: { req: IncomingMessage; res: unknown }): Context => ({
    transport,
    req: req as Request,
    res: res as Response,
    em: services.orm.em.fork(),
    services,
  });
}
