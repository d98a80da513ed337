import {
  apiErrorFrom,
  type Context,
  createContext,
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
    const principal = await principalFrom(services, request.headers.authorization).catch(
      (error: unknown) => {
        throw apiErrorFrom(error) ?? error;
      },
    );
    const named = request.headers['x-organization-id'];
    return createContext(services, {
      transport,
      principal,
      organizationId: Array.isArray(named) ? named[0] : named,
      requestId: (res as Response).locals.requestId,
      ip: request.ip ?? 'unknown',
    });
  };
}
