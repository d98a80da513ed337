import {
  type ERROR_BODY_CODES,
  OAUTH_ERROR_CODES,
  type OAuthErrorCode,
} from '@timbrix/shared/schemas';
import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import catalogue from './catalogue.json' with { type: 'json' };

const STATUSES = [400, 401, 403, 404, 409, 413, 415, 429, 500, 503] as const;

const errorEntry = z
  .object({
    status: z.union(STATUSES.map((status) => z.literal(status))),
    /** What the caller reads; a thrower may give a more precise text for the same code. */
    message: z.string().min(1),
    /** Its RFC 6749 `error` on the OAuth endpoints, where that is not the status's default. */
    oauth: z.enum(OAUTH_ERROR_CODES).optional(),
  })
  .strict();
type ErrorEntry = z.infer<typeof errorEntry>;
type ErrorBodyCode = (typeof ERROR_BODY_CODES)[number];

export type ErrorCode = keyof typeof catalogue;

/**
 * Every error the API answers with, once (`catalogue.json`, checked when the server loads):
 * its status, its tRPC code (from the status), its words, and its OAuth code. Procedures and
 * protocol actions throw `ApiError` with a code from here; each operation lists the codes it
 * can throw, and its documented errors come from them.
 */
export const ERRORS = z.record(z.string(), errorEntry).parse(catalogue) as Record<
  ErrorCode,
  ErrorEntry
>;

const TRPC_CODE_BY_STATUS: Record<ErrorEntry['status'], ErrorBodyCode> = {
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

/** The tRPC code of an HTTP status, as the REST error body names it. */
export const trpcCodeOf = (status: number): ErrorBodyCode =>
  TRPC_CODE_BY_STATUS[status as ErrorEntry['status']] ?? 'INTERNAL_SERVER_ERROR';

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
