import type { OAuthErrorCode } from '@timbrix/shared/schemas';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

interface ErrorEntry {
  status: 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 503;
  /** What the caller reads; a thrower may give a more precise text for the same code. */
  message: string;
  /** Its RFC 6749 `error` on the OAuth endpoints, where that is not the status's default. */
  oauth?: OAuthErrorCode;
}

/**
 * Every error the API answers with, once: its status, its tRPC code (from the status), its
 * words, and its OAuth code. Procedures and protocol actions throw `ApiError` with a code
 * from here; each operation lists the codes it can throw, and its documented errors come
 * from them.
 */
export const ERRORS = {
  // Input
  INVALID_INPUT: { status: 400, message: 'Input validation failed' },
  INVALID_REQUEST: { status: 400, message: 'The request is malformed', oauth: 'invalid_request' },
  MALFORMED_BODY: { status: 400, message: 'The request body could not be read' },
  TEXT_WITH_NUL: { status: 400, message: 'Text must not contain NUL characters' },
  BODY_TOO_LARGE: { status: 413, message: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the request body as application/json' },
  SEVERAL_ORGANIZATIONS: {
    status: 400,
    message: 'You belong to several organizations: name one in the X-Organization-Id header',
  },
  BAD_CURSOR: {
    status: 400,
    message: 'after must be the clientId of an app of this organization',
  },
  INVITATION_EXPIRED: { status: 400, message: 'This invitation has expired; ask for a new one' },
  INVALID_SCOPE: { status: 400, message: 'The scope is not allowed', oauth: 'invalid_scope' },
  UNSUPPORTED_GRANT_TYPE: {
    status: 400,
    message: 'The grant type is not supported',
    oauth: 'unsupported_grant_type',
  },

  // Who is calling
  AUTHENTICATION_REQUIRED: {
    status: 401,
    message: 'Authentication required: send a valid session token as Authorization: Bearer',
  },
  ACCOUNT_GONE: { status: 401, message: 'This account no longer exists' },
  INVALID_CREDENTIALS: { status: 401, message: 'Invalid email or password' },
  INVALID_CLIENT: {
    status: 401,
    message: 'Client authentication failed',
    oauth: 'invalid_client',
  },

  // What they may do
  NOT_A_MEMBER: { status: 403, message: 'You are not a member of this organization' },
  NO_ORGANIZATION: {
    status: 403,
    message: 'You belong to no organization yet: create one, or accept an invitation',
  },
  ONLY_ADMINS_CREATE_APPS: {
    status: 403,
    message: 'Only owners and admins can create OAuth applications.',
  },
  ONLY_ADMINS_MANAGE_APPS: {
    status: 403,
    message: 'Only owners and admins can manage OAuth applications.',
  },
  ONLY_ADMINS_INVITE: { status: 403, message: 'Only owners and admins can invite members' },
  PLATFORM_SCOPE_NOT_GRANTABLE: {
    status: 403,
    message: 'Only platform administrators can grant admin:all',
  },
  PLATFORM_APP_LOCKED: {
    status: 403,
    message:
      'Only platform administrators can change an app that holds admin:all; owners and admins may deactivate or delete it',
  },
  INVITATION_FOR_ANOTHER: { status: 403, message: 'This invitation is for another email address' },

  // What exists
  NOT_FOUND: { status: 404, message: 'Not found' },
  NO_SUCH_ROUTE: { status: 404, message: 'No such route' },
  APP_NOT_FOUND: { status: 404, message: 'No OAuth application with this clientId' },
  TOKEN_NOT_FOUND: { status: 404, message: 'No such token' },
  INVITATION_NOT_FOUND: {
    status: 404,
    message: 'This invitation does not exist or has already been used',
  },

  // Conflicts
  EMAIL_TAKEN: { status: 409, message: 'An account with this email already exists' },
  SLUG_TAKEN: { status: 409, message: 'This slug is already taken; choose another' },
  ALREADY_MEMBER: {
    status: 409,
    message: 'This person is already a member of the organization',
  },
  INVITATION_RACE: {
    status: 409,
    message: 'Another invitation for this email is being made; try again',
  },

  // The server
  RATE_LIMITED: { status: 429, message: 'Too many requests', oauth: 'too_many_requests' },
  INTERNAL: { status: 500, message: 'Internal server error', oauth: 'server_error' },
  UNAVAILABLE: {
    status: 503,
    message: 'Service temporarily unavailable; try again shortly',
    oauth: 'temporarily_unavailable',
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

const TRPC_CODE_BY_STATUS: Record<ErrorEntry['status'], TRPC_ERROR_CODE_KEY> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  500: 'INTERNAL_SERVER_ERROR',
  503: 'SERVICE_UNAVAILABLE',
};

const OAUTH_CODE_BY_STATUS: Partial<Record<ErrorEntry['status'], OAuthErrorCode>> = {
  400: 'invalid_request',
  401: 'invalid_client',
  413: 'invalid_request',
  415: 'invalid_request',
};

/**
 * An error of the API: a code of `ERRORS`, optionally with a more precise message. It keeps
 * TRPCError's name: the REST adapter recognises tRPC errors by it.
 */
export class ApiError extends TRPCError {
  readonly status: number;
  readonly oauthCode: OAuthErrorCode;
  /** Headers the answer carries, such as Retry-After. */
  readonly headers: Record<string, string>;

  constructor(
    readonly errorCode: ErrorCode,
    options: { message?: string; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    const entry: ErrorEntry = ERRORS[errorCode];
    super({
      code: TRPC_CODE_BY_STATUS[entry.status],
      message: options.message ?? entry.message,
      cause: options.cause,
    });
    this.status = entry.status;
    this.oauthCode = entry.oauth ?? OAUTH_CODE_BY_STATUS[entry.status] ?? 'invalid_request';
    this.headers = options.headers ?? {};
  }
}
