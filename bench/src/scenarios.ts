import { basic, type Seed } from './seed.js';

export interface Scenario {
  name: string;
  /** The project's request (path and how to build each one). */
  project: Request;
  /** The reference's equivalent. */
  reference: Request;
  target?: { ratio?: number; rps?: number };
}

export interface Request {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  /** Each request's body and extra headers, round robin over the seeded clients or tokens. */
  next?: (i: number) => { body?: string; headers?: Record<string, string> };
}

/** What is measured, each against the reference doing the same work, with its target. */
export function scenarios(data: Seed): Scenario[] {
  const createBody = JSON.stringify({ name: 'Bench app', scopes: ['read:organization'] });
  const create: Request = {
    method: 'POST',
    path: '/api/oauth/apps',
    headers: { ...data.headers, 'content-type': 'application/json' },
    next: () => ({ body: createBody }),
  };
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const token: Request = {
    method: 'POST',
    path: '/api/oauth2/token',
    headers: form,
    next: (i) => ({
      body: 'grant_type=client_credentials',
      headers: { authorization: basic(data.clients[i % data.clients.length]!) },
    }),
  };
  const introspect: Request = {
    method: 'POST',
    path: '/api/oauth2/introspect',
    headers: { ...form, authorization: basic(data.resourceServer) },
    next: (i) => ({ body: `token=${data.tokens[i % data.tokens.length]}` }),
  };
  const health: Request = { method: 'GET', path: '/api/health' };
  return [
    { name: 'create app (REST)', project: create, reference: create, target: { ratio: 0.9 } },
    {
      name: 'create app (tRPC)',
      project: { ...create, path: '/trpc/oauthApps.create' },
      reference: create,
      target: { ratio: 0.9 },
    },
    {
      name: 'token (100 clients)',
      project: token,
      reference: token,
      target: { ratio: 0.8, rps: 1000 },
    },
    { name: 'introspect', project: introspect, reference: introspect },
    { name: 'health', project: health, reference: health },
  ];
}
