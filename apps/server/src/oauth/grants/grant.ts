import type { AuthenticatedClient, IssuedToken, Services } from '@timbrix/api';
import type { Scope } from '@timbrix/shared/scopes';
import type { Response } from 'express';
import type { Form } from '../http.js';

/** What a grant handler is given: the authenticated client and the form it sent. */
export interface GrantContext {
  services: Services;
  client: AuthenticatedClient;
  params: Form;
  /** For the headers an answer carries (the client's rate limit). */
  res: Response;
}

/**
 * One grant type of the token endpoint (RFC 6749 section 4): its `grant_type`, the parameters
 * it reads besides the client's credentials, the `response_type`s of the authorization
 * endpoint that lead to it (for the metadata), and its handler.
 */
export interface Grant {
  grantType: string;
  parameters: readonly string[];
  responseTypes: readonly string[];
  handler(context: GrantContext): Promise<IssuedToken>;
}

/** Issues a token to the context's client: each grant counts against the client's allowance. */
export async function issueToken(
  { services, client, res }: GrantContext,
  scopes: Scope[],
): Promise<IssuedToken> {
  const { limits, tokens } = services;
  const headers = await limits.consume(limits.rules.grantsPerClient, client.clientId);
  if (headers) res.set(headers);
  return tokens.issue(client, scopes);
}
