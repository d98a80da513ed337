import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createTimbrixClient } from '@timbrix/client';
import { checkAnswer } from './contract.js';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** One REST call over real HTTP. */
export async function api<T = any>(
  origin: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const response = await fetch(`${origin}/api${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {}
  return { status: response.status, headers: response.headers, body: parsed as T };
}

export function uniqueEmail(label = 'user'): string {
  return `${label}-${randomBytes(5).toString('hex')}@example.com`;
}

export function uniqueSlug(label = 'org'): string {
  return `${label}-${randomBytes(5).toString('hex')}`;
}

export interface SignedUpUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

/** A typed client of the server at `origin`, as `token` in `organizationId` if given. */
export const clientOf = (origin: string, token?: string, organizationId?: string) =>
  createTimbrixClient({ url: origin, token, organizationId });

export async function signUp(origin: string, email = uniqueEmail()): Promise<SignedUpUser> {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const anonymous = clientOf(origin);
  const { id } = await anonymous.auth.register.mutate({ email, password });
  const { accessToken } = await anonymous.auth.login.mutate({ email, password });
  return { id, email, password, token: accessToken };
}

export function createOrganization(origin: string, token: string, name = 'Test Org') {
  return clientOf(origin, token).organizations.create.mutate({ name, slug: uniqueSlug() });
}

/** Adds `user` to `organizationId` with `role`, through the real invite and accept calls. */
export async function addMember(
  origin: string,
  adminToken: string,
  organizationId: string,
  user: SignedUpUser,
  role: 'admin' | 'member',
) {
  const invite = await clientOf(origin, adminToken).invitations.create.mutate({
    organizationId,
    email: user.email,
    role,
  });
  await clientOf(origin, user.token).invitations.accept.mutate({ token: invite.token });
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * One HTTP request sent from `localAddress` (127.0.0.2, 127.0.0.3, ...): distinct client
 * addresses on loopback, for limits that count per address.
 */
export function requestFrom(
  localAddress: string,
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      url,
      { method: init.method ?? 'GET', headers: init.headers, localAddress },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => {
          text += chunk;
        });
        response.on('end', () => {
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {}
          const headers = Object.fromEntries(
            Object.entries(response.headers).map(([name, value]) => [name, String(value)]),
          );
          const answer = { method: init.method ?? 'GET', url, status: response.statusCode ?? 0 };
          checkAnswer({ ...answer, headers, body: text }, globalThis.fetch).then(
            () => resolve({ status: answer.status, headers: response.headers, body }),
            reject,
          );
        });
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}
