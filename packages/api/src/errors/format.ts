import { STATUS_CODES } from 'node:http';
import type { ErrorBody } from '@timbrix/shared/schemas';
import type { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { DefaultErrorShape } from '@trpc/server/unstable-core-do-not-import';
import { ERRORS, trpcCodeOf } from './codes.js';

export type Issue = {
  path: (string | number)[];
  message: string;
};

/** The validation problems behind a 400, one per failing field. */
export function validationIssues(error: TRPCError): Issue[] | undefined {
  const cause = error.cause as { issues?: unknown } | undefined;
  if (error.code !== 'BAD_REQUEST' || !Array.isArray(cause?.issues)) return undefined;
  return (cause.issues as { path?: PropertyKey[]; message: string }[]).map((issue) => ({
    path: (issue.path ?? []).map((key) => (typeof key === 'number' ? key : String(key))),
    message: issue.message,
  }));
}

/** What a caller reads: never the internal message of a 5xx. */
export function publicMessage(status: number, message: string, issues?: Issue[]): string {
  if (status === 503) return ERRORS.UNAVAILABLE.message;
  if (status >= 500) return ERRORS.INTERNAL.message;
  if (issues) return ERRORS.INVALID_INPUT.message;
  return message;
}

/**
 * The documented REST error body: `{statusCode, error, message, code}` (code: the tRPC code,
 * as the REST adapter names it too), and `issues` for invalid input.
 */
export function restErrorBody(status: number, message: string, issues?: Issue[]): ErrorBody {
  return {
    statusCode: status,
    error: STATUS_CODES[status] ?? 'Error',
    message: publicMessage(status, message, issues),
    code: trpcCodeOf(status),
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
  ctx: { transport: 'rest' | 'trpc' | 'caller' } | undefined;
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
