import { BENCH_REDIRECT, BENCH_VERIFIER, type Spendable } from './person-grants.js';
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
  /** Called as each run (a warm-up or a measured one) starts. */
  beforeRun?: () => void;
}

/** The scenarios of people's grants: they need codes and refresh tokens seeded first. */
export const PERSON_GRANT_SCENARIOS = [
  'code exchange (100 clients)',
  'refresh, rotating (100 clients)',
];

/** Every ratio scenario's name, as `scenarios` names them (BENCH_ONLY picks among these). */
export const RATIO_SCENARIOS = [
  'create app (REST)',
  'create app (tRPC)',
  'token (100 clients)',
  ...PERSON_GRANT_SCENARIOS,
  'introspect',
  'health',
  'token, secret cache off',
];

/** Codes and refresh tokens seeded for one server: each request spends one. */
export interface GrantPools {
  codes: Spendable[];
  refreshTokens: Spendable[];
}

/** A token request that spends one of `pool`, as its client. */
function spending(pool: Spendable[], body: (value: string) => string): Request {
  return {
    method: 'POST',
    path: '/api/oauth2/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    next: () => {
      const spent = pool.pop();
      if (!spent) throw new Error('the seeded grants ran out: raise BENCH_GRANTS');
      return { body: body(spent.value), headers: { authorization: basic(spent.client) } };
    },
  };
}

const exchange = (pool: Spendable[]) =>
  spending(
    pool,
    (code) =>
      `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(BENCH_REDIRECT)}&code_verifier=${BENCH_VERIFIER}`,
  );
const refresh = (pool: Spendable[]) =>
  spending(pool, (token) => `grant_type=refresh_token&refresh_token=${token}`);

/**
 * What is measured, each against the reference doing the same work, with its target. With
 * `grants`, people's grants too: the code exchange and the refresh, each spending what was
 * seeded for its server.
 */
export function scenarios(
  data: Seed,
  grants?: { project: GrantPools; reference: GrantPools },
): Scenario[] {
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
    ...(grants
      ? [
          {
            name: PERSON_GRANT_SCENARIOS[0]!,
            project: exchange(grants.project.codes),
            reference: exchange(grants.reference.codes),
            target: { ratio: 0.8 },
          },
          {
            name: PERSON_GRANT_SCENARIOS[1]!,
            project: refresh(grants.project.refreshTokens),
            reference: refresh(grants.reference.refreshTokens),
            target: { ratio: 0.8 },
          },
        ]
      : []),
    { name: 'introspect', project: introspect, reference: introspect },
    { name: 'health', project: health, reference: health },
  ];
}
