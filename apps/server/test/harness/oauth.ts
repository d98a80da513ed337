import type { Scope } from '@timbrix/shared/scopes';
import { clientOf, createOrganization, type SignedUpUser, signUp } from './http.js';

export interface Client {
  clientId: string;
  clientSecret: string;
}

export interface FormResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** A form POST to one of the RFC endpoints, authenticating as `client` (Basic by default). */
export async function formPost(
  origin: string,
  path: string,
  params: Record<string, string>,
  client?: Client,
  method: 'basic' | 'post' = 'basic',
): Promise<FormResponse> {
  const headers: Record<string, string> = {
    'content-type': 'application/x-www-form-urlencoded',
  };
  const form = new URLSearchParams(params);
  if (client && method === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`;
  } else if (client) {
    form.set('client_id', client.clientId);
    form.set('client_secret', client.clientSecret);
  }
  const response = await fetch(`${origin}/api${path}`, { method: 'POST', headers, body: form });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
  };
}

export const grant = (origin: string, client: Client, scope?: string, method?: 'basic' | 'post') =>
  formPost(
    origin,
    '/oauth2/token',
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    client,
    method,
  );

export const introspect = (origin: string, caller: Client, token: string) =>
  formPost(origin, '/oauth2/introspect', { token }, caller);

export const revoke = (origin: string, caller: Client, token: string) =>
  formPost(origin, '/oauth2/revoke', { token }, caller);

/** Grants a token and fails loudly if that does not work. */
export async function accessToken(origin: string, client: Client, scope?: string): Promise<string> {
  const response = await grant(origin, client, scope);
  if (response.status !== 200) {
    throw new Error(`grant: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body.access_token;
}

export interface Tenant {
  owner: SignedUpUser;
  organizationId: string;
  /** Creates an app in this organization and returns its credentials. */
  createApp(scopes?: Scope[], name?: string, redirectUri?: string): Promise<Client>;
}

/** A new person with an organization of their own. */
export async function tenant(origin: string): Promise<Tenant> {
  const owner = await signUp(origin);
  const { id: organizationId } = await createOrganization(origin, owner.token);
  return {
    owner,
    organizationId,
    async createApp(
      scopes: Scope[] = ['read:organization', 'read:members'],
      name = 'App',
      redirectUri?: string,
    ) {
      const app = await clientOf(origin, owner.token, organizationId).oauthApps.create.mutate({
        name,
        scopes,
        ...(redirectUri ? { redirectUri } : {}),
      });
      return { clientId: app.clientId, clientSecret: app.clientSecret };
    },
  };
}
