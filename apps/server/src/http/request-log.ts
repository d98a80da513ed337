import { randomUUID } from 'node:crypto';
import { CONSENT_PAGE_PATH } from '@timbrix/api';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

const INCOMING_ID = /^[\w.-]{1,128}$/;

/** The console's consent page carries a pending request's handle in its path: not logged. */
const CONSENT_PAGE = new RegExp(`^${CONSENT_PAGE_PATH}/[^/]+$`);
const loggedPath = (path: string) =>
  CONSENT_PAGE.test(path) ? `${CONSENT_PAGE_PATH}/:requestId` : path;

/**
 * One line per request at info level, with a request id that is also returned as
 * X-Request-Id. Only the path is logged (the consent page's without its request handle): no
 * query string, no body, no credentials.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.header('x-request-id');
    const id = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    const started = process.hrtime.bigint();
    // Captured now: mounted routers rewrite req.url while they run.
    const path = loggedPath(req.originalUrl.split('?')[0]!);
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
