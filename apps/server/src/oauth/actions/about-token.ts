import { ApiError, type AuthenticatedClient, type Services } from '@timbrix/api';
import { type ProtocolAction, postAction } from '../action.js';
import { clientOf, form } from '../http.js';

/**
 * Introspection and revocation: a form from an authenticated client about one `token`, which
 * `work` answers.
 */
export function aboutTokenAction(
  path: string,
  work: (services: Services, caller: AuthenticatedClient, token: string) => Promise<unknown>,
  openapi: object,
): ProtocolAction {
  return postAction({
    path,
    body: 'form',
    openapi,
    handle: async (services, req) => {
      const params = form(req);
      const caller = await clientOf(services, req, params);
      if (typeof params.token !== 'string' || !params.token) {
        throw new ApiError('INVALID_REQUEST', { message: 'token is required' });
      }
      return work(services, caller, params.token);
    },
  });
}
