import { fileURLToPath } from 'node:url';
import { ApiError, type Services } from '@timbrix/api';
import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { mountApi } from './http/api.js';
import { consolePages } from './http/console.js';
import { health, ready } from './http/health.js';
import { requestLog } from './http/request-log.js';
import { sendError } from './http/respond.js';
import { protocolRouter } from './oauth/index.js';
import { buildOpenApiDocument } from './openapi/document.js';

/** The console built in the monorepo: app.ts (src/) and main.js (dist/) sit at one depth. */
const CONSOLE_BESIDE = fileURLToPath(new URL('../../web/dist/', import.meta.url));

// Answers carry credentials and per-user data: no cache may keep them.
const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  next();
};

/**
 * CORS only for the listed origins: others get no Access-Control-Allow-Origin at all. Every
 * answer varies by Origin, allowed or not, so that no shared cache hands an answer made for
 * one origin (or for none) to another.
 */
function corsFor(origins: string[]): RequestHandler[] {
  const allowed = new Set(origins);
  const varyByOrigin: RequestHandler = (_req, res, next) => {
    res.vary('Origin');
    next();
  };
  return [
    varyByOrigin,
    cors({
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
      exposedHeaders: [
        'Link',
        'X-Request-Id',
        'Retry-After',
        'RateLimit-Limit',
        'RateLimit-Remaining',
        'RateLimit-Reset',
      ],
      maxAge: 600,
    }),
  ];
}

export function createApp(services: Services): express.Express {
  const { logger } = services;
  const app = express();
  app.disable('x-powered-by');
  // Client addresses (for rate limits) come from X-Forwarded-For only behind a trusted proxy.
  app.set('trust proxy', services.config.trustProxy);
  app.set('json spaces', 0);
  app.set('etag', false); // answers are per caller and never cached

  app.use(requestLog(logger));
  // Over plain http (a VM, a LAN address), upgrading every request to https would leave pages
  // such as the API docs blank: only an https deployment asks for it.
  const https = services.config.issuerUrl.startsWith('https:');
  // No page of this origin may be framed (the console, the docs, the consent screen to come),
  // and no inline script runs; images may come from https (organization logos).
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          upgradeInsecureRequests: https ? [] : null,
          frameAncestors: ["'none'"],
          imgSrc: ["'self'", 'data:', 'https:'],
        },
      },
      xFrameOptions: { action: 'deny' },
    }),
  );
  app.use(corsFor(services.config.corsOrigins));
  app.use(['/api', '/trpc'], noStore);
  app.get('/api/health', health);
  app.get('/api/ready', ready(services.orm));
  app.use(protocolRouter(services));

  const openApiDocument = buildOpenApiDocument(services.config.issuerUrl);
  app.get('/api/openapi.json', (_req, res) => res.json(openApiDocument));
  app.use(
    '/api/docs',
    swaggerUi.serveFiles(openApiDocument),
    swaggerUi.setup(openApiDocument, { customSiteTitle: 'Timbrix API' }),
  );

  mountApi(app, services);
  const pages = consolePages(
    { configured: services.config.consoleDir, beside: CONSOLE_BESIDE },
    logger,
  );
  // Express 5 refuses an empty list: an unbuilt console mounts nothing.
  if (pages.length > 0) app.use(pages);

  app.use((_req, res) => sendError(res, new ApiError('NO_SUCH_ROUTE')));
  app.use(((error, _req, res, _next) => {
    logger.error({ err: error }, 'unhandled error');
    if (!res.headersSent) sendError(res, new ApiError('INTERNAL'));
  }) satisfies ErrorRequestHandler);
  return app;
}
