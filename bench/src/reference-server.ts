/**
 * The reference: the same irreducible work as Timbrix's hot paths (people's grants included:
 * the same statement spends a code or a refresh token), in the thinnest code we could write. Plain node:http and pg, the same pool size, argon2 parameters, JWT signing
 * and verification, session-row and membership check, inserts (an app's `oauth_app.created`
 * event row included) and verified-secret cache; no framework, no ORM, no schemas, no logging.
 * What the project costs beyond it is overhead.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { hash, verify } from '@node-rs/argon2';
import { createLocalJWKSet, generateKeyPair, type JSONWebKeySet, jwtVerify, SignJWT } from 'jose';
import pg from 'pg';

const ARGON2 = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

const env = process.env;
const issuer = env.ISSUER_URL!;
const ttl = 3600;
const cacheEnabled = env.CLIENT_SECRET_CACHE !== 'off';
const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: Number(env.POOL_MAX ?? 10) });
// Sessions and access tokens of the project verify against its published keys.
const projectKeys = createLocalJWKSet(
  (await (await fetch(env.PROJECT_JWKS_URL!)).json()) as JSONWebKeySet,
);
const { privateKey } = await generateKeyPair('ES256');
const kid = randomUUID();

const verified = new Map<string, Buffer>();
const digestKey = randomBytes(32);

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      data += chunk;
    });
    req.on('end', () => resolve(data));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, payload: unknown) {
  const text = JSON.stringify(payload);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

interface ClientRow {
  app_id: string;
  client_id: string;
  organization_id: string;
  scopes: string[];
  is_active: boolean;
  secret_id: string | null;
  secret_hash: string | null;
}

async function authenticateClient(req: IncomingMessage, form: URLSearchParams) {
  const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  const [clientId, clientSecret] = basic
    ? Buffer.from(basic, 'base64').toString().split(':')
    : [form.get('client_id'), form.get('client_secret')];
  if (!clientId || !clientSecret) return null;
  const { rows } = await pool.query<ClientRow>(
    `select a.id as app_id, a.client_id, a.organization_id, a.scopes, a.is_active,
            s.id as secret_id, s.secret_hash
       from oauth_apps a
       left join oauth_client_secrets s
         on s.app_id = a.id and (s.expires_at is null or s.expires_at > now())
      where a.client_id = $1`,
    [clientId],
  );
  const app = rows[0];
  if (!app?.is_active) return null;
  const digest = createHmac('sha256', digestKey).update(clientSecret).digest();
  for (const row of rows) {
    if (!row.secret_id || !row.secret_hash) continue;
    const known = cacheEnabled ? verified.get(row.secret_id) : undefined;
    if (known && timingSafeEqual(known, digest)) return app;
    if (await verify(row.secret_hash, clientSecret)) {
      if (cacheEnabled) verified.set(row.secret_id, digest);
      return app;
    }
  }
  return null;
}

const INCOMING_ID = /^[\w.-]{1,128}$/;
/** The request's id as the project's request log takes it: the caller's, else a new one. */
function requestIdOf(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && INCOMING_ID.test(incoming) ? incoming : randomUUID();
}

async function createApp(req: IncomingMessage, res: ServerResponse) {
  const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
  let session: { sub?: string; jti?: string } | undefined;
  try {
    session = token
      ? (
          await jwtVerify(token, projectKeys, {
            algorithms: ['ES256'],
            issuer,
            audience: 'urn:timbrix:session',
            typ: 'session+jwt',
          })
        ).payload
      : undefined;
  } catch {}
  if (!session?.sub || !session.jti) return send(res, 401, { message: 'Unauthorized' });
  const organizationId = req.headers['x-organization-id'] as string;
  // Sessions are revocable: the session's row and the membership, in one round trip.
  const { rows } = await pool.query<{ role: string | null }>(
    `select (select role from memberships where user_id = s.user_id and organization_id = $3) as role
       from sessions s where s.id = $1 and s.user_id = $2 and s.expires_at > now()`,
    [session.jti, session.sub, organizationId],
  );
  if (!rows[0]) return send(res, 401, { message: 'Unauthorized' });
  if (!rows[0].role || rows[0].role === 'member') return send(res, 403, { message: 'Forbidden' });
  const input = JSON.parse(await body(req)) as {
    name: string;
    description?: string;
    redirectUri?: string;
    scopes: string[];
  };
  if (typeof input.name !== 'string' || !Array.isArray(input.scopes)) {
    return send(res, 400, { message: 'Bad Request' });
  }

  const clientId = `app_${randomBytes(8).toString('hex')}`;
  const clientSecret = `cs_${randomBytes(32).toString('base64url')}`;
  const secretHash = await hash(clientSecret, ARGON2);
  const appId = randomUUID();
  const client = await pool.connect();
  let createdAt: Date;
  try {
    await client.query('begin');
    // The app and its `oauth_app.created` event (the same row the project writes; the events
    // trigger fans it out to webhooks as it does for the project), in one statement.
    const inserted = await client.query<{ created_at: Date }>(
      `with app as (
         insert into oauth_apps (id, client_id, organization_id, name, description, redirect_uri, scopes, is_active, created_by_id)
         values ($1, $2, $3, $4, $5, $6, $7, true, $8) returning created_at
       ), event as (
         insert into events (id, created_at, type, organization_id, actor_type, actor_id,
                             request_id, ip, user_agent, target_type, target_id, data)
         select $9, app.created_at, 'oauth_app.created', $3, 'user', $8, $10, $11, $12,
                'oauth_app', $2, $13 from app
       ) select created_at from app`,
      [
        appId,
        clientId,
        organizationId,
        input.name,
        input.description ?? null,
        input.redirectUri ?? null,
        input.scopes,
        session.sub,
        randomUUID(),
        requestIdOf(req),
        req.socket.remoteAddress ?? null,
        req.headers['user-agent']?.slice(0, 512) ?? null,
        JSON.stringify({
          name: input.name,
          scopes: input.scopes,
          redirectUri: input.redirectUri ?? null,
        }),
      ],
    );
    createdAt = inserted.rows[0]!.created_at;
    await client.query(
      'insert into oauth_client_secrets (id, app_id, secret_hash, hint) values ($1, $2, $3, $4)',
      [randomUUID(), appId, secretHash, clientSecret.slice(-4)],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
  send(res, 201, {
    clientId,
    clientSecret,
    name: input.name,
    description: input.description ?? null,
    redirectUri: input.redirectUri ?? null,
    scopes: input.scopes,
    isActive: true,
    createdAt: createdAt.toISOString(),
    organizationId,
  });
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

async function signToken(
  app: ClientRow,
  subject: string,
  scopes: string[],
  now: number,
  jti: string,
  expiresAt = now + ttl,
) {
  return new SignJWT({
    client_id: app.client_id,
    scope: scopes.join(' '),
    organization_id: app.organization_id,
  })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .setIssuer(issuer)
    .setSubject(subject)
    .setAudience(`${issuer}/api`)
    .setJti(jti)
    .setIssuedAt(now)
    .setExpirationTime(expiresAt)
    .sign(privateKey);
}

// A person's grants: the code or refresh token is spent, and the next refresh token and the
// access token's row stored, in one statement (the same one as the project's, prepared as
// the project prepares it).
const REDEEM = `with redeemed as (
    update oauth_authorizations g set code_used_at = now() from oauth_apps a
     where g.code_hash = $1 and g.app_id = $2 and a.id = g.app_id
       and g.code_used_at is null and g.code_expires_at > now() and g.revoked_at is null
       and g.redirect_uri = $3 and g.code_challenge = $4 and a.is_active and g.scopes <@ a.scopes
       and a.redirect_uri = g.redirect_uri
     returning g.id, g.user_id, g.scopes, least(to_timestamp($8), g.expires_at) as token_expires_at
  ), refresh as (
    insert into oauth_refresh_tokens (id, authorization_id, token_hash) select $5, id, $6 from redeemed
  ), access as (
    insert into oauth_access_tokens (id, app_id, scopes, expires_at, authorization_id, user_id)
    select $7, $2, scopes, token_expires_at, id, user_id from redeemed
  ) select user_id, scopes, floor(extract(epoch from token_expires_at))::bigint::text as expires_at
      from redeemed`;
const ROTATE = `with rotated as (
    update oauth_refresh_tokens r set rotated_at = now()
      from oauth_authorizations g join oauth_apps a on a.id = g.app_id
     where r.token_hash = $1 and r.rotated_at is null and g.id = r.authorization_id
       and g.app_id = $2 and g.revoked_at is null and g.expires_at > now()
       and a.is_active and g.scopes <@ a.scopes
     returning g.id, g.user_id, g.scopes, least(to_timestamp($6), g.expires_at) as token_expires_at
  ), successor as (
    insert into oauth_refresh_tokens (id, authorization_id, token_hash) select $3, id, $4 from rotated
  ), access as (
    insert into oauth_access_tokens (id, app_id, scopes, expires_at, authorization_id, user_id)
    select $5, $2, scopes, token_expires_at, id, user_id from rotated
  ) select user_id, scopes, floor(extract(epoch from token_expires_at))::bigint::text as expires_at
      from rotated`;

async function personGrant(app: ClientRow, form: URLSearchParams, res: ServerResponse) {
  const jti = `token_${randomBytes(16).toString('hex')}`;
  const now = Math.floor(Date.now() / 1000);
  const refreshToken = `rt_${randomBytes(32).toString('base64url')}`;
  let rows: { user_id: string; scopes: string[]; expires_at: string }[];
  if (form.get('grant_type') === 'authorization_code') {
    const [code, redirectUri, verifier] = ['code', 'redirect_uri', 'code_verifier'].map((n) =>
      form.get(n),
    );
    if (!code || !redirectUri || !verifier) return send(res, 400, { error: 'invalid_request' });
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    ({ rows } = await pool.query({
      name: 'redeem',
      text: REDEEM,
      values: [
        sha256(code),
        app.app_id,
        redirectUri,
        challenge,
        randomUUID(),
        sha256(refreshToken),
        jti,
        now + ttl,
      ],
    }));
  } else {
    const presented = form.get('refresh_token');
    if (!presented) return send(res, 400, { error: 'invalid_request' });
    ({ rows } = await pool.query({
      name: 'rotate',
      text: ROTATE,
      values: [sha256(presented), app.app_id, randomUUID(), sha256(refreshToken), jti, now + ttl],
    }));
  }
  const grantee = rows[0];
  if (!grantee) return send(res, 400, { error: 'invalid_grant' });
  const expiresAt = Math.min(now + ttl, Number(grantee.expires_at));
  const accessToken = await signToken(app, grantee.user_id, grantee.scopes, now, jti, expiresAt);
  send(res, 200, {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: expiresAt - now,
    scope: grantee.scopes.join(' '),
    refresh_token: refreshToken,
  });
}

const GRANT_TYPES = new Set(['client_credentials', 'authorization_code', 'refresh_token']);

async function token(req: IncomingMessage, res: ServerResponse) {
  const form = new URLSearchParams(await body(req));
  if (!GRANT_TYPES.has(form.get('grant_type') ?? '')) {
    return send(res, 400, { error: 'unsupported_grant_type' });
  }
  const app = await authenticateClient(req, form);
  if (!app) return send(res, 401, { error: 'invalid_client' });
  if (form.get('grant_type') !== 'client_credentials') return personGrant(app, form, res);
  const requested = form.get('scope')?.split(' ').filter(Boolean);
  const scopes = requested?.length ? requested : app.scopes;
  if (!scopes.every((scope) => app.scopes.includes(scope))) {
    return send(res, 400, { error: 'invalid_scope' });
  }
  const jti = `token_${randomBytes(16).toString('hex')}`;
  const now = Math.floor(Date.now() / 1000);
  const accessToken = await signToken(app, app.client_id, scopes, now, jti);
  await pool.query(
    `insert into oauth_access_tokens (id, app_id, scopes, expires_at)
     values ($1, $2, $3, to_timestamp($4))`,
    [jti, app.app_id, scopes, now + ttl],
  );
  send(res, 200, {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ttl,
    scope: scopes.join(' '),
  });
}

async function introspect(req: IncomingMessage, res: ServerResponse) {
  const form = new URLSearchParams(await body(req));
  const caller = await authenticateClient(req, form);
  if (!caller) return send(res, 401, { error: 'invalid_client' });
  let claims: Record<string, unknown>;
  try {
    claims = (
      await jwtVerify(form.get('token') ?? '', projectKeys, {
        algorithms: ['ES256'],
        issuer,
        audience: `${issuer}/api`,
        typ: 'at+jwt',
      })
    ).payload;
  } catch {
    return send(res, 200, { active: false });
  }
  const { rowCount } = await pool.query(
    `update oauth_access_tokens t set last_used_at = now()
       from oauth_apps a
      where t.id = $1 and a.id = t.app_id and a.organization_id = $2
        and t.revoked_at is null and t.expires_at > now()
        and a.is_active and t.scopes <@ a.scopes`,
    [claims.jti, caller.organization_id],
  );
  if (!rowCount) return send(res, 200, { active: false });
  send(res, 200, { active: true, ...claims, token_type: 'Bearer' });
}

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void> | void> =
  {
    'GET /api/health': (_req, res) => send(res, 200, { status: 'ok' }),
    'POST /api/oauth/apps': createApp,
    'POST /api/oauth2/token': token,
    'POST /api/oauth2/introspect': introspect,
  };

const server = createServer((req, res) => {
  const route = routes[`${req.method} ${req.url?.split('?')[0]}`];
  if (!route) return send(res, 404, { message: 'Not found' });
  Promise.resolve(route(req, res)).catch(() => send(res, 500, { message: 'Internal error' }));
});
server.listen(Number(env.PORT), '127.0.0.1', () => console.log('reference listening'));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
