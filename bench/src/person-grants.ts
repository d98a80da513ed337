import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { BASE62_ALPHABET, formatSecret, SECRET_BODY_LENGTH } from '@timbrix/shared/secrets';
import pg from 'pg';
import type { Client, Seed } from './seed.js';

/** One use's worth of a person's grant: a code or a refresh token, and the client it is for. */
export interface Spendable {
  client: Client;
  value: string;
}

export const BENCH_REDIRECT = 'https://bench.example.com/callback';
/** One PKCE verifier for every seeded code: the bench measures the exchange, not the verifier. */
export const BENCH_VERIFIER = randomBytes(32).toString('base64url');
const CHALLENGE = createHash('sha256').update(BENCH_VERIFIER).digest('base64url');
const CHUNK = 5000;

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** A well-formed secret of `kind`, as the server issues them (the bias of `% 62` is harmless here). */
function secret(kind: 'authorizationCode' | 'refreshToken') {
  const body = [...randomBytes(SECRET_BODY_LENGTH)].map((b) => BASE62_ALPHABET[b % 62]).join('');
  return formatSecret(kind, body);
}

/**
 * `count` authorizations of the seeded person, spread over the seeded clients, written
 * straight to the database (approving each through the console would take longer than the
 * run): with an unused code each, or, for `refresh`, already exchanged and holding one live
 * refresh token. Every request of a run spends one, as an app would.
 */
export async function seedPersonGrants(
  databaseUrl: string,
  data: Seed,
  count: number,
  kind: 'code' | 'refresh',
): Promise<Spendable[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    // Apps people authorize have a redirect URI, which redeeming a code checks again.
    const { rows: apps } = await pool.query<{ id: string; client_id: string }>(
      'update oauth_apps set redirect_uri = $2 where client_id = any($1) returning id, client_id',
      [data.clients.map((client) => client.clientId), BENCH_REDIRECT],
    );
    const appOf = new Map(apps.map((app) => [app.client_id, app.id]));
    const spendable: Spendable[] = [];
    for (let start = 0; start < count; start += CHUNK) {
      const size = Math.min(CHUNK, count - start);
      const batch = Array.from({ length: size }, (_, i) => {
        const client = data.clients[(start + i) % data.clients.length]!;
        return {
          client,
          id: randomUUID(),
          appId: appOf.get(client.clientId)!,
          code: secret('authorizationCode'),
          refresh: secret('refreshToken'),
        };
      });
      await pool.query(
        `insert into oauth_authorizations (id, app_id, user_id, scopes, redirect_uri, code_hash,
           code_challenge, code_expires_at, code_used_at, expires_at)
         select u.id, u.app_id, $3, a.scopes, $4, u.code_hash, $5, now() + interval '1 hour',
                case when $6 then now() end, now() + interval '30 days'
           from unnest($1::uuid[], $2::uuid[], $7::text[]) as u(id, app_id, code_hash)
           join oauth_apps a on a.id = u.app_id`,
        [
          batch.map((row) => row.id),
          batch.map((row) => row.appId),
          data.userId,
          BENCH_REDIRECT,
          CHALLENGE,
          kind === 'refresh',
          batch.map((row) => sha256(row.code)),
        ],
      );
      if (kind === 'refresh') {
        await pool.query(
          `insert into oauth_refresh_tokens (id, authorization_id, token_hash)
           select gen_random_uuid(), u.id, u.hash from unnest($1::uuid[], $2::text[]) as u(id, hash)`,
          [batch.map((row) => row.id), batch.map((row) => sha256(row.refresh))],
        );
      }
      for (const row of batch) {
        spendable.push({ client: row.client, value: kind === 'code' ? row.code : row.refresh });
      }
    }
    return spendable;
  } finally {
    await pool.end();
  }
}
