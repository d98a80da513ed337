import type { Services } from '@timbrix/api';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { formBodies, jsonBodies } from '../http/body.js';
import { oauthBodyErrors, oauthHandler } from './http.js';

/**
 * One endpoint of the OAuth protocol: where it is, its handlers, and its operation in the
 * OpenAPI document (for those under /api), written beside it.
 */
export interface ProtocolAction {
  method: 'get' | 'post';
  /** From the server's root. */
  path: string;
  openapi?: object;
  handlers(services: Services): (RequestHandler | ErrorRequestHandler)[];
}

/**
 * A POST endpoint that reads a form (RFC 6749 section 3.2; errors in its words) or JSON (the
 * documented JSON form), runs `handle`, and answers its result as JSON.
 */
export function postAction(options: {
  path: string;
  body: 'form' | 'json';
  openapi: object;
  handle(services: Services, req: Request, res: Response): Promise<unknown>;
}): ProtocolAction {
  const style = options.body === 'form' ? 'rfc' : 'json';
  const bodies = options.body === 'form' ? formBodies : jsonBodies;
  return {
    method: 'post',
    path: options.path,
    openapi: options.openapi,
    handlers: (services) => [
      ...bodies(oauthBodyErrors(style)),
      oauthHandler(style, services, (req, res) => options.handle(services, req, res)),
    ],
  };
}
