import {
  ApiError,
  type AuthenticatedClient,
  type EventOrigin,
  type IssuedToken,
  type Services,
} from '@timbrix/api';
import type { Scope } from '@timbrix/shared/scopes';
import type { Request, Response } from 'express';
import { type Form, requestOrigin } from '../http.js';

/** What a grant handler is given: the authenticated client and the form it sent. */
export interface GrantContext {
  services: Services;
  client: AuthenticatedClient;
  params: Form;
  /** The client's address, as the server trusts it (limits count by it). */
  ip: string;
  /** For the headers an answer carries (the client's rate limit). */
  res: Response;
  /** The client and the request, as the events a grant records name them. */
  origin: EventOrigin;
}

/** The context of a grant the authenticated `client` asked for in `req`. */
export function grantContext(
  services: Services,
  client: AuthenticatedClient,
  params: Form,
  req: Request,
  res: Response,
): GrantContext {
  const origin = requestOrigin(req, { type: 'app', id: client.clientId });
  return { services, client, params, ip: req.ip ?? 'unknown', res, origin };
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

/** Issues the client a token of its own: each grant counts against the client's allowance. */
export async function issueToken(
  { services, client, res }: GrantContext,
  scopes: Scope[],
): Promise<IssuedToken> {
  const { limits, tokens } = services;
  const headers = await limits.consume(limits.rules.grantsPerClient, client.clientId);
  if (headers) res.set(headers);
  return tokens.issue(client, scopes);
}

/**
 * A grant for a person's authorization, under limits of its own (not the client's allowance
 * for its own tokens): every request counts per client and address (the answer reports that
 * one) and per address. A failed one also counts per client, from any address, and past that
 * limit failures answer 429; successes never wait on it, since a lockout would let anyone who
 * can reach the app's callback stop all its logins by feeding it made-up codes.
 */
export async function personGrant(
  { services, client, ip, res }: GrantContext,
  kind: 'exchanges' | 'refreshes',
  work: () => Promise<IssuedToken>,
): Promise<IssuedToken> {
  const { limits } = services;
  const { rules } = limits;
  const [perClientIp, perIp] =
    kind === 'exchanges'
      ? [rules.exchangesPerClientIp, rules.exchangesPerIp]
      : [rules.refreshesPerClientIp, rules.refreshesPerIp];
  const headers = await limits.consume(perClientIp, client.clientId, ip);
  await limits.consume(perIp, ip);
  try {
    const issued = await work();
    if (headers) res.set(headers);
    return issued;
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      await limits.consume(rules.grantFailuresPerClient, client.clientId);
    }
    throw error;
  }
}
