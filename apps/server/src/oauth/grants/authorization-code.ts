import { requiredParameter } from '../http.js';
import { type Grant, type GrantContext, personGrant } from './grant.js';

export interface PresentedCode {
  code: string;
  redirectUri: string;
  codeVerifier: string;
}

/** Spends a code for its first tokens, under the exchange limits (the form and JSON alike). */
export const exchangeCode = (context: GrantContext, presented: PresentedCode) =>
  personGrant(context, 'exchanges', () =>
    context.services.personGrants.exchange(context.client, presented, context.origin),
  );

/** RFC 6749 section 4.1.3 with RFC 7636's `code_verifier`: a person's authorization, spent. */
export const authorizationCode: Grant = {
  grantType: 'authorization_code',
  parameters: ['code', 'redirect_uri', 'code_verifier'],
  responseTypes: ['code'],
  handler: (context) =>
    exchangeCode(context, {
      code: requiredParameter(context.params, 'code'),
      redirectUri: requiredParameter(context.params, 'redirect_uri'),
      codeVerifier: requiredParameter(context.params, 'code_verifier', 'required (PKCE)'),
    }),
};
