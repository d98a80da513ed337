import { ApiError } from '@timbrix/api';
import type { Request, RequestHandler } from 'express';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './body.js';
import { sendTrpcError } from './respond.js';

/** tRPC's test for a streamed (JSON Lines) answer, which `httpBatchStreamLink` asks for. */
function wantsStream(req: Request): boolean {
  const accept = req.headers['trpc-accept'] ?? req.headers.accept ?? '';
  return String(accept)
    .split(',')
    .some((type) => type.trim().toLowerCase() === 'application/jsonl');
}

/**
 * The procedures a /trpc request calls, as tRPC reads them: its path percent-decoded, then
 * split at the commas of a batch (`auth%2EsignIn` is `auth.signIn`).
 */
export function callsOf(req: Request): string[] {
  const path = req.path.replace(/^\//, '');
  try {
    return decodeURIComponent(path).split(',');
  } catch {
    return [path]; // tRPC answers a malformed path itself
  }
}

/**
 * What /trpc refuses before tRPC does any work: streamed answers (their status and headers,
 * rate limits included, are sent before the calls run, so errors could not be told), batches
 * of more than `maxCalls` calls (one request must not carry unbounded work), and query input
 * nested deeper than a body may be.
 */
export function trpcRequests(maxCalls: number): RequestHandler {
  return (req, res, next) => {
    if (wantsStream(req)) {
      const message =
        'Streamed answers are not supported: use httpBatchLink instead of httpBatchStreamLink';
      return sendTrpcError(res, new ApiError('INVALID_REQUEST', { message }));
    }
    if (req.query.batch === '1') {
      const calls = callsOf(req).length;
      if (calls > maxCalls) {
        const message = `A batch may carry at most ${maxCalls} calls, this one has ${calls}: send fewer at once (httpBatchLink's maxItems)`;
        return sendTrpcError(res, new ApiError('INVALID_REQUEST', { message }));
      }
    }
    if (req.method === 'GET' && typeof req.query.input === 'string') {
      let input: unknown;
      try {
        input = JSON.parse(req.query.input);
      } catch {
        return next(); // tRPC answers malformed input itself
      }
      if (nestsDeeperThan(input, MAX_BODY_DEPTH)) {
        const message = `The input must not nest deeper than ${MAX_BODY_DEPTH} levels`;
        return sendTrpcError(res, new ApiError('INVALID_REQUEST', { message }));
      }
    }
    next();
  };
}
