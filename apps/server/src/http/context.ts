import {
  ApiError,
  apiErrorFrom,
  type Context,
  createContext,
  type Principal,
  principalFrom,
  type Services,
} from '@timbrix/api';
import type { Request, Response } from 'express';

/**
 * The outer context: reads what a procedure needs from the express request (who is calling,
 * the organization named, the client's address, the request id) into the transport-free
 * inner context of `@timbrix/api`. Nothing of express goes further.
 */
export function contextFactory(services: Services, transport: 'rest' | 'trpc') {
  // Both adapters run inside express, so their node requests are express requests.
  return async ({ req, res }: { req: unknown; res: unknown }): Promise<Context> => {
    const request = req as Request;
    // A failure here is thrown by the procedure chain, to be answered in the call's shape.
    let failure: ApiError | undefined;
    // The console's cookie, on /trpc only, as `browserSessions` let it through.
    const cookie = (res as Response).locals.sessionCookie as string | undefined;
    const apiKey = request.headers['x-api-key'];
    const credentials = {
      authorization: request.headers.authorization,
      apiKey: Array.isArray(apiKey) ? apiKey.join(', ') : apiKey,
      sessionCookie: cookie,
    };
    const principal = await principalFrom(services, credentials).catch(
      (error: unknown): Principal => {
        failure = apiErrorFrom(error) ?? new ApiError('INTERNAL', { cause: error });
        return { kind: 'anonymous' };
      },
    );
    const named = request.headers['x-organization-id'];
    return createContext(services, {
      transport,
      principal,
      failure,
      organizationId: Array.isArray(named) ? named[0] : named,
      requestId: (res as Response).locals.requestId,
      ip: request.ip ?? 'unknown',
      userAgent: request.headers['user-agent'],
    });
  };
}
