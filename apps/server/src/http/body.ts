import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import typeis from 'type-is';
import { sendError } from './respond.js';

export const MAX_BODY_BYTES = 64 * 1024;
/** No request of this API nests deeper; deeper bodies only exist to exhaust a recursion. */
export const MAX_BODY_DEPTH = 16;

/** Whether `value` nests objects or arrays deeper than `limit`, measured without recursion. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) pending.push([child, depth + 1]);
  }
  return false;
}
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** A body with content: `Content-Length: 0`, as fetch sends for a body-less POST, is none. */
export const hasContent = (req: Request) =>
  typeis.hasBody(req) && req.headers['content-length'] !== '0';

/**
 * JSON bodies for the REST API, parsed here rather than by the adapter, so that
 * `application/json; charset=utf-8` (what many clients send) works like `application/json`,
 * and so that size, syntax and media-type errors get the documented error body.
 */
export function jsonBodies(): RequestHandler[] {
  const requireJson: RequestHandler = (req, res, next) => {
    if (!METHODS_WITH_BODY.has(req.method) || !hasContent(req)) return next();
    if (!req.is('application/json')) {
      return sendError(res, 415, 'Send the request body as application/json');
    }
    next();
  };
  const normalize: RequestHandler = (req, res, next) => {
    if (nestsDeeperThan(req.body, MAX_BODY_DEPTH)) {
      return sendError(
        res,
        400,
        `The request body must not nest deeper than ${MAX_BODY_DEPTH} levels`,
      );
    }
    if (METHODS_WITH_BODY.has(req.method)) {
      // Parsed already, or empty (an empty body is an empty object): either way the adapter
      // gets the plain type it insists on.
      req.headers['content-type'] = 'application/json';
      req.body ??= {};
    }
    next();
  };
  return [
    requireJson,
    express.json({ limit: MAX_BODY_BYTES, strict: true, type: 'application/json' }),
    normalize,
  ];
}

/** Body-parser failures, in the documented error shape; anything else moves on. */
export const bodyErrors: ErrorRequestHandler = (error, _req, res, next) => {
  switch ((error as { type?: string }).type) {
    case 'entity.parse.failed':
      return sendError(res, 400, 'The request body is not valid JSON, or not a JSON object');
    case 'parameters.too.many':
      return sendError(res, 413, 'The request body has too many parameters');
    case 'entity.too.large':
      return sendError(res, 413, `The request body must be at most ${MAX_BODY_BYTES} bytes`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return sendError(res, 415, 'Send the request body as UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return sendError(res, 400, 'The request body could not be read');
    default:
      return next(error);
  }
};
