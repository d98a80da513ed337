import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const INCOMING_ID = /^[\w.-]{1,128}$/;

/**
 * One line per request at info level, with a request id that is also returned as
 * X-Request-Id. Only the path is logged: no query string, no body, no credentials.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header('x-request-id');
    const id = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    const started = process.hrtime.bigint();
    // Captured now: mounted routers rewrite req.url while they run.
    const path = req.originalUrl.split('?')[0];
    res.setHeader('X-Request-Id', id);
    res.locals.requestId = id;
    res.on('finish', () => {
      logger.info(
        {
          reqId: id,
          method: req.method,
          path,
          status: res.statusCode,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
        },
        'request',
      );
    });
    next();
  };
}
