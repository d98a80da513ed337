import {
  ConnectionException,
  ForeignKeyConstraintViolationException,
  NotFoundError,
  UniqueConstraintViolationException,
} from '@mikro-orm/core';
import { Overloaded } from '../auth/passwords.js';
import { RateLimited } from '../limits/rate-limiter.js';
import { ApiError, type ErrorCode } from './codes.js';

/** A unique index that a request can run into, and what it means. */
const UNIQUE_CONFLICTS: Record<string, ErrorCode> = {
  users_email_unique: 'EMAIL_TAKEN',
  organizations_slug_unique: 'SLUG_TAKEN',
  memberships_user_id_organization_id_unique: 'ALREADY_MEMBER',
  invitations_pending_unique: 'INVITATION_RACE',
};

/** A row a write refers to that went away meanwhile: an organization deleted mid-request. */
const VANISHED_REFERENCES: Record<string, ErrorCode> = {
  oauth_apps_organization_id_foreign: 'NOT_A_MEMBER',
  api_keys_organization_id_foreign: 'NOT_A_MEMBER',
  invitations_organization_id_foreign: 'NOT_A_MEMBER',
  memberships_organization_id_foreign: 'INVITATION_NOT_FOUND',
};

// Text PostgreSQL cannot take: NUL in a bound value (22021, 22P05), or in SQL the ORM wrote
// the value into (08P01, "invalid message format"). Bad input, not a fault.
const UNSTORABLE_TEXT_STATES = new Set(['22021', '22P05', '08P01']);

// SQLSTATEs that mean "the database can't serve you now", not "your query is wrong".
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '55000']);
const UNAVAILABLE_SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/** True for the failures of a database that is down, unreachable, refusing or full. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error instanceof ConnectionException || error.name === 'KnexTimeoutError') return true;
  const code = (error as { code?: string }).code ?? '';
  return (
    (code.startsWith('08') && !UNSTORABLE_TEXT_STATES.has(code)) ||
    UNAVAILABLE_STATES.has(code) ||
    UNAVAILABLE_SOCKET_ERRORS.has(code) ||
    // The pool's own timeouts: no connection could be made, or none was free in time (the
    // ORM wraps the latter in a plain DriverException).
    /Connection terminated|timeout exceeded when trying to connect|Timeout acquiring a connection/i.test(
      error.message,
    )
  );
}

/**
 * The API error a failure means, or undefined for a fault of our own (an internal error,
 * whose details never leave the server). The one place where what the libraries throw
 * (the ORM, the database, the limiter, the hasher) becomes something a caller is told.
 */
export function apiErrorFrom(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (error instanceof UniqueConstraintViolationException) {
    const constraint = (error as { constraint?: string }).constraint;
    const code = constraint ? UNIQUE_CONFLICTS[constraint] : undefined;
    if (code) return new ApiError(code, { cause: error });
  }
  // The ORM's exception, or the driver's error from a prepared statement (SQLSTATE 23503).
  if (
    error instanceof ForeignKeyConstraintViolationException ||
    (error as { code?: string } | undefined)?.code === '23503'
  ) {
    const constraint = (error as { constraint?: string }).constraint;
    const code = constraint ? VANISHED_REFERENCES[constraint] : undefined;
    if (code) return new ApiError(code, { cause: error });
  }
  if (UNSTORABLE_TEXT_STATES.has((error as { code?: string } | undefined)?.code ?? '')) {
    return new ApiError('TEXT_WITH_NUL', { cause: error });
  }
  if (error instanceof NotFoundError) return new ApiError('NOT_FOUND', { cause: error });
  if (error instanceof RateLimited) {
    return new ApiError('RATE_LIMITED', {
      message: error.message,
      cause: error,
      headers: { ...error.headers() },
    });
  }
  if (error instanceof Overloaded) {
    return new ApiError('UNAVAILABLE', {
      cause: error,
      headers: { 'Retry-After': String(error.retryAfterSeconds) },
    });
  }
  if (isDatabaseUnavailable(error)) return new ApiError('UNAVAILABLE', { cause: error });
  return undefined;
}
