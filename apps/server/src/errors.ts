import { STATUS_CODES } from 'node:http';
import { ConnectionException, UniqueConstraintViolationException } from '@mikro-orm/core';
import type { ErrorBody } from '@timbrix/shared/schemas';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { DefaultErrorShape } from '@trpc/server/unstable-core-do-not-import';
import { Overloaded } from './auth/passwords.js';
import { RateLimited } from './limits/rate-limiter.js';

export interface Issue {
  path: (string | number)[];
  message: string;
}

/** A unique index that a request can run into, and what to tell the caller. */
const UNIQUE_CONFLICTS: Record<string, string> = {
  users_email_unique: 'An account with this email already exists',
  organizations_slug_unique: 'This slug is already taken; choose another',
  memberships_user_id_organization_id_unique: 'This person is already a member of the organization',
  invitations_pending_unique: 'Another invitation for this email is being made; try again',
};

export const UNAVAILABLE_MESSAGE = 'Service temporarily unavailable; try again shortly';

const MESSAGE_BY_STATUS: Record<number, string> = {
  500: 'Internal server error',
  503: UNAVAILABLE_MESSAGE,
};

/**
 * Turns what a procedure threw into the error the caller should see. Everything not named
 * here stays an internal error, whose details never leave the server.
 */
export function translateError(error: TRPCError): TRPCError {
  const cause = error.cause;
  if (cause instanceof UniqueConstraintViolationException) {
    const constraint = (cause as { constraint?: string }).constraint;
    const message = constraint ? UNIQUE_CONFLICTS[constraint] : undefined;
    if (message) return new TRPCError({ code: 'CONFLICT', message, cause });
  }
  if (isUnstorableText(cause)) {
    return new TRPCError({
      code: 'BAD_REQUEST',
      message: 'Text must not contain NUL characters',
      cause,
    });
  }
  if (cause instanceof RateLimited) {
    return new TRPCError({ code: 'TOO_MANY_REQUESTS', message: cause.message, cause });
  }
  if (cause instanceof Overloaded || isDatabaseUnavailable(cause)) {
    return new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: MESSAGE_BY_STATUS[503], cause });
  }
  return error;
}

// Text PostgreSQL cannot take: NUL in a bound value (22021, 22P05), or in SQL the ORM wrote
// the value into (08P01, "invalid message format"). Bad input, not a fault.
const UNSTORABLE_TEXT_STATES = new Set(['22021', '22P05', '08P01']);

function isUnstorableText(error: unknown): boolean {
  return UNSTORABLE_TEXT_STATES.has((error as { code?: string } | undefined)?.code ?? '');
}

// SQLSTATEs that mean "the database can't serve you now", not "your query is wrong".
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '55000']);
const UNAVAILABLE_SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/** True for the failures of a database that is down, unreachable or refusing connections. */
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

/** The validation problems behind a 400, one per failing field. */
export function validationIssues(error: TRPCError): Issue[] | undefined {
  const cause = error.cause as { issues?: unknown } | undefined;
  if (error.code !== 'BAD_REQUEST' || !Array.isArray(cause?.issues)) return undefined;
  return (cause.issues as { path?: PropertyKey[]; message: string }[]).map((issue) => ({
    path: (issue.path ?? []).map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
  }));
}

export function publicMessage(status: number, message: string, issues?: Issue[]): string {
  if (status >= 500) return MESSAGE_BY_STATUS[status] ?? MESSAGE_BY_STATUS[500]!;
  if (issues) return 'Input validation failed';
  return message;
}

/** The documented REST error body: `{statusCode, error, message}`, and `issues` for 400s. */
export function restErrorBody(status: number, message: string, issues?: Issue[]): ErrorBody {
  return {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message: publicMessage(status, message, issues),
    ...(issues ? { issues } : {}),
  };
}

export type TrpcErrorShape = Omit<DefaultErrorShape, 'data'> & {
  data: { code: TRPC_ERROR_CODE_KEY; httpStatus: number; issues?: Issue[] };
};

/**
 * The one place errors take their public shape, for both transports. REST gets the documented
 * body (trpc-to-openapi spreads this into its response); tRPC keeps its own envelope. Neither
 * ever carries a stack trace, a path or, for a 5xx, the internal message.
 */
export function formatError({
  shape,
  error,
  ctx,
}: {
  shape: DefaultErrorShape;
  error: TRPCError;
  ctx: { transport: 'rest' | 'trpc' } | undefined;
}): TrpcErrorShape | ErrorBody {
  const status = getHTTPStatusCodeFromError(error);
  const issues = validationIssues(error);
  if (ctx?.transport === 'rest') return restErrorBody(status, error.message, issues);
  return {
    code: shape.code,
    message: publicMessage(status, error.message, issues),
    data: { code: error.code, httpStatus: status, ...(issues ? { issues } : {}) },
  };
}
