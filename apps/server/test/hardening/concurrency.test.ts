import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type ServerProcess,
  signUp,
  startPeerProcess,
  type Tenant,
  tenant,
  uniqueEmail,
  uniqueSlug,
  useTestServer,
} from '../harness/index.js';

/** Process A runs in the test; process B is the built server on the same database. */
const a = useTestServer();
let b: ServerProcess;
let org: Tenant;

beforeAll(async () => {
  b = await startPeerProcess(a(), { RATE_LIMITS: 'off' });
  org = await tenant(a().url);
}, 60_000);

afterAll(async () => {
  await b?.stop();
});

describe('two processes at once', () => {
  it('turn 200 creates into 200 rows with 200 distinct client ids', async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        api(i % 2 ? a().url : b.url, 'POST', '/oauth/apps', {
          token: org.owner.token,
          body: { name: `Concurrent ${i}`, scopes: ['read:user'] },
        }),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(200);
    expect(new Set(responses.map((r) => r.body.clientId)).size).toBe(200);
    const [row] = await a().sql<{ apps: number; secrets: number }>(
      `select count(distinct a.id)::int as apps, count(s.id)::int as secrets
         from oauth_apps a join oauth_client_secrets s on s.app_id = a.id
        where a.organization_id = $1 and a.name like 'Concurrent %'`,
      [org.organizationId],
    );
    expect(row).toEqual({ apps: 200, secrets: 200 });
  });

  it('let exactly one of many racing registrations of one email win; the rest get 409', async () => {
    const email = uniqueEmail('race');
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api(i % 2 ? a().url : b.url, 'POST', '/auth/register', {
          body: { email: i % 3 ? email : email.toUpperCase(), password: 'password-123' },
        }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array(9).fill(409)]);
  });

  it('let exactly one of many racing organizations with one slug win; the rest get 409', async () => {
    const user = await signUp(a().url);
    const slug = uniqueSlug();
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        api(i % 2 ? a().url : b.url, 'POST', '/organizations', {
          token: user.token,
          body: { name: 'Racing', slug },
        }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(9).fill(409)]);
    expect(await a().sql('select id from organizations where slug = $1', [slug])).toHaveLength(1);
  });
});
