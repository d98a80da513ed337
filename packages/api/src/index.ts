/**
 * @timbrix/api: the API of Timbrix as tRPC procedures, and the domain they stand on. The
 * server app hosts it over HTTP (tRPC, REST, the OAuth endpoints); `@timbrix/client` takes
 * only its type.
 */
export { ARGON2_OPTIONS, type Hasher, Overloaded } from './auth/passwords.js';
export { principalFrom } from './auth/principal.js';
export { SESSION_AUDIENCE, SESSION_TOKEN_TYPE } from './auth/sessions.js';
export { callerFor } from './caller.js';
export { type Config, ConfigError, loadConfig } from './config.js';
export { type Context, createContext, type Principal } from './context.js';
export { migrate, openDatabase } from './db/orm.js';
export { type Repositories, repositories, repositoriesOf } from './db/repositories.js';
export { ApiError, ERRORS, type ErrorCode } from './errors/codes.js';
export {
  formatError,
  type Issue,
  publicMessage,
  restErrorBody,
  type TrpcErrorShape,
} from './errors/format.js';
export { apiErrorFrom, isDatabaseUnavailable } from './errors/translate.js';
export type { AccessTokens, IssuedToken } from './features/access-tokens/service.js';
export { CONSENT_PAGE_PATH } from './features/authorizations/requests.js';
export { type EventOrigin, eventOrigin } from './features/events/record.js';
export type {
  AuthenticatedClient,
  ClientCredentials,
  VerificationGuard,
} from './features/oauth-apps/client-auth.js';
export {
  type DeliveryWorker,
  startWorker,
} from './features/webhooks/delivery/index.js';
export { localKeyEncryptionKey } from './keys/key-encryption.js';
export { mayBeSecret, newSecret, sha256 } from './lib/secrets.js';
export { counterKey, type LimitRule, RateLimited } from './limits/rate-limiter.js';
export { createLogger, type Logger } from './logger.js';
export { type AppRouter, appRouter, procedureDefinitions } from './router.js';
export { createServices, loadSigningKeys, type Services } from './services.js';
export type { Meta } from './trpc.js';
