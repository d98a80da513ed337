import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { SignedUpUser } from './http.js';
import type { Client } from './oauth.js';

/**
 * A person's way through the authorization code flow over plain HTTP, as a browser and the
 * console would go: the console's cookie, the authorization endpoint, the consent calls.
 */

export interface Pkce {
  verifier: string;
  challenge: string;
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** What a page of the server's own origin sends with a tRPC mutation. */
function fromConsole(serverUrl: string, cookie: string | undefined, input: unknown) {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: serverUrl,
      'sec-fetch-site': 'same-origin',
      ...(cookie ? { cookie } : {}),
    },
    body: JSON.stringify(input),
  };
}

/** Signs `person` in as the console does: the session cookie to send back. */
export async function consoleCookie(serverUrl: string, person: SignedUpUser): Promise<string> {
  const response = await fetch(
    `${serverUrl}/trpc/auth.signIn`,
    fromConsole(serverUrl, undefined, { email: person.email, password: person.password }),
  );
  expect(response.status).toBe(200);
  return (response.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** A tRPC mutation from the console: status and the result's data, or its error. */
export async function consoleMutation(
  serverUrl: string,
  procedure: string,
  cookie: string | undefined,
  input: unknown,
  init: { headers?: Record<string, string> } = {},
) {
  const request = fromConsole(serverUrl, cookie, input);
  const response = await fetch(`${serverUrl}/trpc/${procedure}`, {
    ...request,
    headers: { ...request.headers, ...init.headers },
  });
  const body = (await response.json()) as any;
  return { status: response.status, data: body.result?.data, error: body.error };
}

export interface AuthorizationParams {
  client_id: string;
  redirect_uri: string;
  response_type?: string;
  scope?: string;
  state?: string;
  code_challenge?: string;
  code_challenge_method?: string;
  prompt?: string;
}

/** The authorization endpoint's URL for `params` (undefined ones left out). */
export function authorizationUrl(serverUrl: string, params: Partial<AuthorizationParams>) {
  const url = new URL(`${serverUrl}/api/oauth/authorize`);
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.set(name, value);
  }
  return url.href;
}

/** A browser's GET of the authorization endpoint, not following the redirect. */
export async function authorizeRequest(
  serverUrl: string,
  params: Partial<AuthorizationParams> | string,
  cookie?: string,
) {
  const url = typeof params === 'string' ? params : authorizationUrl(serverUrl, params);
  const response = await fetch(url, {
    redirect: 'manual',
    headers: cookie ? { cookie } : {},
  });
  return {
    status: response.status,
    location: response.headers.get('location'),
    headers: response.headers,
    text: await response.text(),
  };
}

/** An RFC 6749 `invalid_grant` answer whose description says `description`. */
export function expectInvalidGrant(response: { status: number; body: any }, description: RegExp) {
  expect(response.status).toBe(400);
  expect(response.body.error).toBe('invalid_grant');
  expect(response.body.error_description).toMatch(description);
}

/** The parameters of a redirect back to the app. */
export const answerOf = (location: string | null) =>
  Object.fromEntries(new URL(location ?? 'invalid:').searchParams) as Record<string, string>;

/** The handle of the pending request the console is sent to. */
export function consentHandle(location: string | null): string {
  const match = /\/authorize\/([\w-]{43})$/.exec(location ?? '');
  if (!match) throw new Error(`not a consent page: ${location}`);
  return match[1]!;
}

/** The default PKCE'd request of `client`, registered with `redirectUri`. */
export const requestOf = (
  client: Client,
  redirectUri: string,
  proof: Pkce,
  extra: Partial<AuthorizationParams> = {},
): AuthorizationParams => ({
  client_id: client.clientId,
  redirect_uri: redirectUri,
  response_type: 'code',
  state: randomBytes(8).toString('hex'),
  code_challenge: proof.challenge,
  code_challenge_method: 'S256',
  ...extra,
});

/**
 * Goes the whole way for a signed-in person: the authorization endpoint, the consent screen
 * if asked (approving or denying), and back: the answer's parameters.
 */
export async function authorizeAs(
  serverUrl: string,
  cookie: string,
  params: AuthorizationParams,
  approve = true,
): Promise<Record<string, string>> {
  const first = await authorizeRequest(serverUrl, params, cookie);
  expect(first.status).toBe(302);
  if (!first.location?.includes('/authorize/')) return answerOf(first.location);
  const requestId = consentHandle(first.location);
  const opened = await consoleMutation(serverUrl, 'authorizations.open', cookie, { requestId });
  expect(opened.status).toBe(200);
  if (opened.data.status === 'redirect') return answerOf(opened.data.redirectTo);
  const decided = await consoleMutation(serverUrl, 'authorizations.decide', cookie, {
    requestId,
    decisionToken: opened.data.decisionToken,
    approve,
  });
  expect(decided.status).toBe(200);
  return answerOf(decided.data.redirectTo);
}
