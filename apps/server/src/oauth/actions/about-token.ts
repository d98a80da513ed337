import { ApiError, type Services } from '@timbrix/api';
import type { Request } from 'express';
import { clientOf, form } from '../http.js';

/** Introspection and revocation: an authenticated client, and the token it asks about. */
export async function aboutToken(services: Services, req: Request) {
  const params = form(req);
  const caller = await clientOf(services, req, params);
  if (typeof params.token !== 'string' || !params.token) {
    throw new ApiError('INVALID_REQUEST', { message: 'token is required' });
  }
  return { caller, token: params.token };
}
