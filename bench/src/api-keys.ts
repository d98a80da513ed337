/**
 * The API-key scenarios (`BENCH_ONLY=apikeys`), on the product alone, interleaved like the
 * others: the organization's read with a key against the same read with its owner's session,
 * and with 1,000 keys taken in turn against one key. Every key has both of its own limits, so
 * every request with one counts them (in PostgreSQL: the server runs without REDIS_URL).
 */
import { randomBytes } from 'node:crypto';
import { createTimbrixClient } from '@timbrix/client';
import { load, measure, type Row } from './measure.js';
import type { Request } from './scenarios.js';
import { type Server, startProject } from './servers.js';
import { chosen, settings } from './settings.js';

export const API_KEY_SCENARIOS = [
  'apikeys: key read vs session read',
  'apikeys: 1,000 keys in turn vs one key',
];

const ROTATING_KEYS = 1000;
/**
 * Each key's own limits: the highest a key may have. One key serves one run, so a run stays
 * within them below 20,000 requests a second (100,000 in its minute).
 */
const LIMITS = { rateLimitPerMinute: 100_000, rateLimitPerHour: 6_000_000 };
/** Keys created at once while seeding. */
const CREATING = 10;

/** The server of every other scenario, with its counters in PostgreSQL whatever this has. */
async function startServer(env: Record<string, string>, profile = false): Promise<Server> {
  const redisUrl = process.env.REDIS_URL;
  delete process.env.REDIS_URL;
  try {
    return await startProject(env, profile);
  } finally {
    if (redisUrl !== undefined) process.env.REDIS_URL = redisUrl;
  }
}

/** A new account, its organization, and `count` keys reading it, each with both limits. */
async function seedKeys(origin: string, count: number) {
  const email = `bench-keys-${randomBytes(4).toString('hex')}@example.com`;
  const password = 'bench-password-123';
  const anonymous = createTimbrixClient({ url: origin });
  await anonymous.auth.register.mutate({ email, password });
  const { accessToken: session } = await anonymous.auth.login.mutate({ email, password });
  const org = await createTimbrixClient({
    url: origin,
    token: session,
  }).organizations.create.mutate({
    name: 'API key bench',
    slug: `bench-keys-${randomBytes(4).toString('hex')}`,
  });
  const createOne = async (i: number) => {
    const created = await fetch(`${origin}/api/organizations/${org.id}/api-keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${session}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: `Bench key ${i}`, scopes: ['read:organization'], ...LIMITS }),
    });
    if (created.status !== 201) {
      throw new Error(`create API key: ${created.status} ${await created.text()}`);
    }
    return ((await created.json()) as { key: string }).key;
  };
  const keys: string[] = [];
  for (let start = 0; start < count; start += CREATING) {
    const batch = Array.from({ length: Math.min(CREATING, count - start) }, (_, i) => start + i);
    keys.push(...(await Promise.all(batch.map(createOne))));
  }
  return { session, organizationId: org.id, keys };
}

/** The read, made with `headers` (fixed, or per request). */
const read = (organizationId: string, request: Partial<Request> = {}): Request => ({
  method: 'GET',
  path: `/api/organizations/${organizationId}`,
  ...request,
});

/** One key for each run, a new one every run (warm-up included): see LIMITS. */
function oneKeyPerRun(organizationId: string, keys: string[]): Request {
  let key: string | undefined;
  return read(organizationId, {
    beforeRun: () => {
      key = keys.pop();
      if (!key) throw new Error('the seeded single keys ran out');
    },
    next: () => ({ headers: { 'x-api-key': key! } }),
  });
}

/** Each request with the next of `keys`, round robin across runs. */
function inTurn(organizationId: string, keys: string[]): Request {
  let n = 0;
  return read(organizationId, {
    next: () => ({ headers: { 'x-api-key': keys[n++ % keys.length]! } }),
  });
}

/**
 * The scenarios chosen, each a row whose "reference" is the other side of the comparison (the
 * session read; one key); with BENCH_PROFILE=1, a profile of the key read and of the session
 * read, each on its own server.
 */
export async function measureApiKeys(env: Record<string, string>): Promise<Row[]> {
  const names = API_KEY_SCENARIOS.filter(chosen);
  const [againstSession, rotating] = API_KEY_SCENARIOS.map((name) => names.includes(name));
  const runsPerScenario = settings.pairs + 1;
  const singles = (againstSession ? runsPerScenario : 0) + (rotating ? runsPerScenario : 0);
  const profiled = settings.profile ? 1 : 0;
  const server = await startServer(env);
  const rows: Row[] = [];
  let single: string[];
  let session: Request;
  let organizationId: string;
  try {
    const seeded = await seedKeys(server.url, singles + profiled + (rotating ? ROTATING_KEYS : 0));
    organizationId = seeded.organizationId;
    single = seeded.keys.splice(0, singles + profiled);
    session = read(organizationId, { headers: { authorization: `Bearer ${seeded.session}` } });
    if (againstSession) {
      const scenario = {
        name: API_KEY_SCENARIOS[0]!,
        project: oneKeyPerRun(organizationId, single),
        reference: session,
        target: { ratio: 0.8 },
      };
      rows.push(await measure(scenario, server, server));
    }
    if (rotating) {
      const scenario = {
        name: API_KEY_SCENARIOS[1]!,
        project: inTurn(organizationId, seeded.keys),
        reference: oneKeyPerRun(organizationId, single),
        target: { ratio: 0.9 },
      };
      rows.push(await measure(scenario, server, server));
    }
  } finally {
    await server.stop();
  }
  if (settings.profile) {
    for (const request of [oneKeyPerRun(organizationId, single), session]) {
      // The session's issuer is the first server's.
      const profiledServer = await startServer({ ...env, ISSUER_URL: server.url }, true);
      await load(profiledServer.url, request, settings.duration);
      await profiledServer.stop();
    }
  }
  return rows;
}
