import {
  appRouter,
  type Context,
  isDatabaseUnavailable,
  procedureDefinitions,
  type Services,
} from '@timbrix/api';
import { createExpressMiddleware } from '@trpc/server/adapters/express';
import type { Express, RequestHandler } from 'express';
import { createOpenApiNodeHttpHandler } from 'trpc-to-openapi';
import { RESOURCE_METADATA_PATH } from '../oauth/actions/discovery.js';
import { jsonBodies, MAX_BODY_BYTES, METHODS_WITH_BODY } from './body.js';
import { browserSessions } from './browser-sessions.js';
import { contextFactory } from './context.js';
import { sendError, sendTrpcError } from './respond.js';
import { trpcRequests } from './trpc-requests.js';

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

/** The headers a call's procedures set (rate limits, Link), for either adapter to send. */
const procedureHeaders = (ctx: Context | undefined) => ctx?.response.headers ?? {};

/** The procedures of `@timbrix/api`, over tRPC at /trpc and as REST under /api. */
export function mountApi(app: Express, services: Services) {
  const { logger, config } = services;
  // RFC 6750 section 3, with RFC 9728 section 5.1's pointer to the API's resource metadata.
  const challenge = `Bearer realm="timbrix", resource_metadata="${config.issuerUrl}${RESOURCE_METADATA_PATH}"`;
  const answerHeaders = (ctx: Context | undefined, errors: { code: string }[]) => {
    if (!errors.some((error) => error.code === 'UNAUTHORIZED')) return procedureHeaders(ctx);
    // RFC 6750 section 3.1: a token was sent, and it is not (or no longer) valid.
    const rejected = ctx?.principal.kind === 'anonymous' && ctx.principal.rejected;
    const header = rejected ? `${challenge}, error="invalid_token"` : challenge;
    return { ...procedureHeaders(ctx), 'WWW-Authenticate': header };
  };
  const onError = ({
    error,
    path,
  }: {
    error: { code: string; cause?: unknown };
    path?: string;
  }) => {
    // Our faults and the database's go to the log; a busy argon2 queue is load, not a fault.
    const cause = error.cause ?? error;
    if (
      error.code === 'INTERNAL_SERVER_ERROR' ||
      (error.code === 'SERVICE_UNAVAILABLE' && isDatabaseUnavailable(cause))
    ) {
      logger.error({ err: cause, procedure: path }, 'procedure failed');
    }
  };

  // The same body rules as the REST API, answered in tRPC's own envelope.
  app.use(
    '/trpc',
    trpcRequests(config.trpcMaxBatchCalls),
    browserSessions(services),
    ...jsonBodies(sendTrpcError),
    createExpressMiddleware({
      router: appRouter,
      createContext: contextFactory(services, 'trpc'),
      maxBodySize: MAX_BODY_BYTES,
      maxBatchSize: config.trpcMaxBatchCalls,
      onError,
      responseMeta: ({ ctx, errors }) => ({ headers: answerHeaders(ctx, errors) }),
    }),
  );

  const rest = createOpenApiNodeHttpHandler({
    router: appRouter,
    createContext: contextFactory(services, 'rest'),
    maxBodySize: MAX_BODY_BYTES,
    onError,
    responseMeta: ({ ctx, paths, errors }) => {
      const headers = answerHeaders(ctx, errors);
      if (errors.length > 0) return { headers };
      // trpc-to-openapi answers 200 for every success unless told otherwise.
      const status = paths?.[0]
        ? procedureDefinitions.get(paths[0])?.meta?.successStatus
        : undefined;
      return status ? { status, headers } : { headers };
    },
  });
  const restApi: RequestHandler = (req, res, next) => rest(req, res, next);
  app.use('/api', ...jsonBodies(sendError), restBodies, restApi);
}
