import { createExpressMiddleware } from '@trpc/server/adapters/express';
import cors from 'cors';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import helmet from 'helmet';
import swaggerUi from 'swagger-ui-express';
import { createOpenApiNodeHttpHandler } from 'trpc-to-openapi';
import { contextFactory, type Services } from './context.js';
import { jsonBodies, MAX_BODY_BYTES, METHODS_WITH_BODY } from './http/body.js';
import { health, ready } from './http/health.js';
import { requestLog } from './http/request-log.js';
import { sendError, sendTrpcError } from './http/respond.js';
import { trpcRequests } from './http/trpc-requests.js';
import { oauthEndpoints } from './oauth/endpoints.js';
import { buildOpenApiDocument } from './openapi.js';
import { appRouter, procedureDefinitions } from './routers/_app.js';

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

/**
 * The REST adapter parses a body only when its type is exactly `application/json`, and wants
 * one for every POST, PUT and PATCH: a parsed body, or none (an empty object), is what it gets.
 */
const restBodies: RequestHandler = (req, _res, next) => {
  if (METHODS_WITH_BODY.has(req.method)) {
    req.headers['content-type'] = 'application/json';
    req.body ??= {};
  }
  next();
};

export function createApp(services: Services): express.Express {
  const { logger } = services;
  const app = express();
  app.disable('x-powered-by');
  // Client addresses (for rate limits) come from X-Forwarded-For only behind a trusted proxy.
  app.set('trust proxy', services.config.trustProxy);
  app.set('json spaces', 0);
  app.set('etag', false); // answers are per caller and never cached

  app.use(requestLog(logger));
  app.use(helmet());
  app.use(corsFor(services.config.corsOrigins));
  app.use(['/api', '/trpc'], noStore);
  app.get('/api/health', health);
  app.get('/api/ready', ready(services.orm));
  app.use(oauthEndpoints(services));

  const openApiDocument = buildOpenApiDocument(`${services.config.issuerUrl}/api`);
  app.get('/api/openapi.json', (_req, res) => res.json(openApiDocument));
  app.use(
    '/api/docs',
    swaggerUi.serveFiles(openApiDocument),
    swaggerUi.setup(openApiDocument, { customSiteTitle: 'Timbrix API' }),
  );

  const onError = ({
    error,
    path,
  }: {
    error: { code: string; cause?: unknown };
    path?: string;
  }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR' || error.code === 'SERVICE_UNAVAILABLE') {
      logger.error({ err: error.cause ?? error, procedure: path }, 'procedure failed');
    }
  };

  // The same body rules as the REST API, answered in tRPC's own envelope.
  app.use(
    '/trpc',
    trpcRequests(services.config.trpcMaxBatchCalls),
    ...jsonBodies(sendTrpcError),
    createExpressMiddleware({
      router: appRouter,
      createContext: contextFactory(services, 'trpc'),
      maxBodySize: MAX_BODY_BYTES,
      maxBatchSize: services.config.trpcMaxBatchCalls,
      onError,
    }),
  );

  const rest = createOpenApiNodeHttpHandler({
    router: appRouter,
    createContext: contextFactory(services, 'rest'),
    maxBodySize: MAX_BODY_BYTES,
    onError,
    responseMeta: ({ paths, errors }) => {
      if (errors.length > 0) {
        return errors[0]?.code === 'UNAUTHORIZED'
          ? { headers: { 'WWW-Authenticate': 'Bearer realm="timbrix"' } }
          : {};
      }
      const status = paths?.[0]
        ? procedureDefinitions.get(paths[0])?.meta?.successStatus
        : undefined;
      return status ? { status } : {};
    },
  });
  const restApi: RequestHandler = (req, res, next) => rest(req, res, next);
  app.use('/api', ...jsonBodies(sendError), restBodies, restApi);

  app.use((_req, res) => sendError(res, 404, 'No such route'));
  app.use(((error, _req, res, _next) => {
    logger.error({ err: error }, 'unhandled error');
    if (!res.headersSent) sendError(res, 500, 'Internal server error');
  }) satisfies ErrorRequestHandler);
  return app;
}
