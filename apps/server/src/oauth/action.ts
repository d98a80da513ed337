import type { Services } from '@timbrix/api';
import type { ErrorRequestHandler, RequestHandler } from 'express';

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
