import { createHash, randomBytes } from 'node:crypto';
import { isScope, type Scope } from '@timbrix/shared/scopes';
import type { CheckedRequest, RequestedApp } from './request-repository.js';

export type { CheckedRequest } from './request-repository.js';

/** RFC 7636 section 4.2: BASE64URL(SHA256(verifier)), unpadded. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

/** 256 random bits in base64url: handles and one-time values. */
export const randomHandle = () => randomBytes(32).toString('base64url');

/** RFC 7636 section 4.6: the S256 challenge of a verifier. */
export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** `redirectUri` with the answer's parameters added to what its query already has. */
export function answerAt(redirectUri: string, params: Record<string, string | null | undefined>) {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null) url.searchParams.append(name, value);
  }
  return url.href;
}

/** A parameter sent more than once (RFC 6749 section 3.1 forbids it), or not as text. */
class RepeatedParameter extends Error {}

function single(query: Record<string, unknown>, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new RepeatedParameter(`${name} must be sent once`);
  return value;
}

/** Who the request claims to come from and where it wants the answer; either may be absent. */
export function clientOfRequest(
  query: Record<string, unknown>,
): { clientId?: string | undefined; redirectUri?: string | undefined } | { refused: string } {
  try {
    return { clientId: single(query, 'client_id'), redirectUri: single(query, 'redirect_uri') };
  } catch (error) {
    if (error instanceof RepeatedParameter) return { refused: error.message };
    throw error;
  }
}

/** An app whose registered redirect URI a request named exactly. */
export type TrustedApp = RequestedApp & { redirect_uri: string };

/**
 * The request's app, when its client and redirect URI can be trusted with a redirect; else
 * why not (RFC 6749 section 4.1.2.1: such a request is never sent back).
 */
export function trustedApp(
  app: RequestedApp | undefined,
  redirectUri: string | undefined,
): TrustedApp | { refused: string } {
  if (!app?.is_active) return { refused: 'This app is unknown or no longer active.' };
  if (!redirectUri) return { refused: 'redirect_uri is required.' };
  if (app.redirect_uri === null) {
    return {
      refused: 'This app has no redirect URI registered, so it cannot ask people for access.',
    };
  }
  if (redirectUri !== app.redirect_uri) {
    return { refused: 'redirect_uri is not the one registered for this app.' };
  }
  return { ...app, redirect_uri: app.redirect_uri };
}

/** An error sent back to the app (RFC 6749 section 4.1.2.1), with the state when it is known. */
export interface RequestError {
  error: string;
  description: string;
  state: string | null;
}

/**
 * The rest of a request from a trusted client (RFC 6749 section 4.1.1, RFC 7636 section 4.3):
 * `response_type=code`, an S256 challenge, scopes within the app's (none: all of them), and
 * a `prompt` of `consent` (ask again) or `none` (answer without asking, OpenID Connect's).
 */
export function checkRequest(
  query: Record<string, unknown>,
  app: TrustedApp,
): CheckedRequest | RequestError {
  let state: string | null = null;
  const refuse = (error: string, description: string) => ({ error, description, state });
  let ask: Record<'responseType' | 'challenge' | 'method' | 'scope' | 'prompt', string | undefined>;
  try {
    state = single(query, 'state') ?? null;
    ask = {
      responseType: single(query, 'response_type'),
      challenge: single(query, 'code_challenge'),
      method: single(query, 'code_challenge_method'),
      scope: single(query, 'scope'),
      prompt: single(query, 'prompt'),
    };
  } catch (error) {
    if (error instanceof RepeatedParameter) return refuse('invalid_request', error.message);
    throw error;
  }
  if (!ask.responseType) return refuse('invalid_request', 'response_type is required');
  if (ask.responseType !== 'code') {
    return refuse('unsupported_response_type', 'Only response_type=code is supported');
  }
  if (!ask.challenge || !ask.method) {
    return refuse(
      'invalid_request',
      'PKCE is required: send code_challenge and code_challenge_method=S256',
    );
  }
  if (ask.method !== 'S256') {
    return refuse('invalid_request', `code_challenge_method must be S256, not ${ask.method}`);
  }
  if (!S256_CHALLENGE.test(ask.challenge)) {
    return refuse(
      'invalid_request',
      'code_challenge must be the unpadded base64url SHA-256 of the code verifier (43 characters)',
    );
  }
  if (ask.prompt !== undefined && ask.prompt !== 'consent' && ask.prompt !== 'none') {
    return refuse('invalid_request', 'prompt may be consent or none');
  }
  const requested = [...new Set((ask.scope ?? '').split(' ').filter(Boolean))];
  const unknown = requested.filter((scope) => !isScope(scope));
  if (unknown.length) return refuse('invalid_scope', `Unknown scope: ${unknown.join(' ')}`);
  const beyond = requested.filter((scope) => !app.scopes.includes(scope as Scope));
  if (beyond.length) return refuse('invalid_scope', `The app may not request: ${beyond.join(' ')}`);
  return {
    appId: app.id,
    redirectUri: app.redirect_uri,
    scopes: requested.length ? (requested as Scope[]) : app.scopes,
    state,
    codeChallenge: ask.challenge,
    prompt: ask.prompt ?? null,
  };
}
