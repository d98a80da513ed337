import { type TRPC_ERROR_CODE_KEY, TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { Response } from 'express';
import { type Issue, publicMessage, restErrorBody } from '../errors.js';

/** An error answered outside the procedures, in the same body they answer with. */
export function sendError(res: Response, status: number, message: string, issues?: Issue[]) {
  res.status(status).json(restErrorBody(status, message, issues));
}

const TRPC_CODE_BY_STATUS: Record<number, TRPC_ERROR_CODE_KEY> = {
  400: 'BAD_REQUEST',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * A request refused before tRPC sees it, in tRPC's own error envelope, so that its clients
 * read it as they read the procedures' errors (a batch link applies it to every call).
 */
export function sendTrpcError(res: Response, status: number, message: string) {
  const code = TRPC_CODE_BY_STATUS[status] ?? 'INTERNAL_SERVER_ERROR';
  res.status(status).json({
    error: {
      code: TRPC_ERROR_CODES_BY_KEY[code],
      message: publicMessage(status, message),
      data: { code, httpStatus: status },
    },
  });
}
