import { ApiError } from '@timbrix/api';
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import typeis from 'type-is';

export const MAX_BODY_BYTES = 64 * 1024;
/** No request of this API nests deeper; deeper bodies only exist to exhaust a recursion. */
export const MAX_BODY_DEPTH = 16;
const MAX_FORM_PARAMETERS = 50;

/** Writes a refused request in the caller's protocol: REST, tRPC or OAuth. */
export type ErrorWriter = (res: express.Response, error: ApiError) => void;

type BodyHandlers = (RequestHandler | ErrorRequestHandler)[];

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

export const DEPTH_MESSAGE = `The request body must not nest deeper than ${MAX_BODY_DEPTH} levels`;
export const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** A body with content: `Content-Length: 0`, as fetch sends for a body-less POST, is none. */
export const hasContent = (req: Request) =>
  typeis.hasBody(req) && req.headers['content-length'] !== '0';

/** What a body parser's failure means for the caller; undefined for anything else. */
function bodyProblem(error: unknown): ApiError | undefined {
  const { type, status, encoding } = error as { type?: string; status?: number; encoding?: string };
  switch (type) {
    case 'entity.parse.failed':
      return new ApiError('MALFORMED_BODY', {
        message: 'The request body is not valid JSON, or not a JSON object',
      });
    case 'parameters.too.many':
      return new ApiError('BODY_TOO_LARGE', {
        message: 'The request body has too many parameters',
      });
    case 'entity.too.large':
      return new ApiError('BODY_TOO_LARGE', {
        message: `The request body must be at most ${MAX_BODY_BYTES} bytes`,
      });
    case 'encoding.unsupported':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', {
        message: `Content-Encoding ${encoding ?? ''} is not supported: send the body as identity, gzip, deflate or br`,
      });
    case 'charset.unsupported':
      return new ApiError('UNSUPPORTED_MEDIA_TYPE', { message: 'Send the request body as UTF-8' });
  }
  // The rest the parsers raise are the client's: an aborted or short body, or one that does not
  // inflate as its Content-Encoding says.
  if (status !== undefined && status >= 400 && status < 500) {
    return new ApiError('MALFORMED_BODY', {
      message: 'The request body could not be read: check its length and Content-Encoding',
    });
  }
  return undefined;
}

/** Answers the failure of the body parser just before it; passes on anything else. */
function parserErrors(writeError: ErrorWriter): ErrorRequestHandler {
  return (error, _req, res, next) => {
    const problem = bodyProblem(error);
    if (!problem) return next(error);
    writeError(res, problem);
  };
}

/**
 * JSON bodies, parsed here rather than by either adapter, so that one set of rules holds on
 * every route that takes JSON: `application/json` with any parameters (`; charset=utf-8`, as
 * many clients send), at most 64 KiB after decompression (gzip, deflate, br), at most 16
 * levels deep. Failures are answered by `writeError`, in the caller's protocol.
 */
export function jsonBodies(writeError: ErrorWriter): BodyHandlers {
  const requireJson: RequestHandler = (req, res, next) => {
    if (!METHODS_WITH_BODY.has(req.method) || !hasContent(req)) return next();
    if (!req.is('application/json')) {
      return writeError(res, new ApiError('UNSUPPORTED_MEDIA_TYPE'));
    }
    next();
  };
  const limitDepth: RequestHandler = (req, res, next) => {
    if (nestsDeeperThan(req.body, MAX_BODY_DEPTH)) {
      return writeError(res, new ApiError('MALFORMED_BODY', { message: DEPTH_MESSAGE }));
    }
    next();
  };
  // The parser leaves `{}` for a request without a body; a call without input sends none.
  const noBodyNoInput: RequestHandler = (req, _res, next) => {
    if (!hasContent(req)) req.body = undefined;
    next();
  };
  return [
    requireJson,
    express.json({ limit: MAX_BODY_BYTES, strict: true, type: 'application/json' }),
    parserErrors(writeError),
    noBodyNoInput,
    limitDepth,
  ];
}

/** Form bodies (RFC 6749 section 3.2), under the same size and encoding rules. */
export function formBodies(writeError: ErrorWriter): BodyHandlers {
  const requireForm: RequestHandler = (req, res, next) => {
    if (hasContent(req) && !req.is('application/x-www-form-urlencoded')) {
      return writeError(
        res,
        new ApiError('UNSUPPORTED_MEDIA_TYPE', {
          message: 'Send the request as application/x-www-form-urlencoded',
        }),
      );
    }
    next();
  };
  return [
    requireForm,
    express.urlencoded({
      extended: false,
      limit: MAX_BODY_BYTES,
      parameterLimit: MAX_FORM_PARAMETERS,
    }),
    parserErrors(writeError),
  ];
}
