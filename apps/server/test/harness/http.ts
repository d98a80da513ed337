import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';

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

export async function signUp(origin: string, email = uniqueEmail()): Promise<SignedUpUser> {
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const registered = await api(origin, 'POST', '/auth/register', { body: { email, password } });
  if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
  const login = await api(origin, 'POST', '/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login: ${login.status}`);
  return { id: registered.body.id, email, password, token: login.body.accessToken };
}

export async function createOrganization(origin: string, token: string, name = 'Test Org') {
  const created = await api(origin, 'POST', '/organizations', {
    token,
    body: { name, slug: uniqueSlug() },
  });
  if (created.status !== 201) throw new Error(`create organization: ${created.status}`);
  return created.body as { id: string; name: string; slug: string };
}

/** Adds `user` to `organizationId` with `role`, through the real invite and accept routes. */
export async function addMember(
  origin: string,
  adminToken: string,
  organizationId: string,
  user: SignedUpUser,
  role: 'admin' | 'member',
) {
  const invite = await api(origin, 'POST', `/organizations/${organizationId}/members/invite`, {
    token: adminToken,
    body: { email: user.email, role },
  });
  if (invite.status !== 201) throw new Error(`invite: ${invite.status}`);
  const accepted = await api(origin, 'POST', '/invites/accept', {
    token: user.token,
    body: { token: invite.body.token },
  });
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status}`);
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
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        });
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}
