import { type ApiError, publicMessage, restErrorBody } from '@timbrix/api';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { Response } from 'express';

/** An error answered outside the procedures, in the same body they answer with. */
export function sendError(res: Response, error: ApiError) {
  res.set(error.headers).status(error.status).json(restErrorBody(error.status, error.message));
}

/**
 * A request refused before tRPC sees it, in tRPC's own error envelope, so that its clients
 * read it as they read the procedures' errors (a batch link applies it to every call).
 */
export function sendTrpcError(res: Response, error: ApiError) {
  res
    .set(error.headers)
    .status(error.status)
    .json({
      error: {
        code: TRPC_ERROR_CODES_BY_KEY[error.code],
        message: publicMessage(error.status, error.message),
        data: { code: error.code, httpStatus: error.status },
      },
    });
}
