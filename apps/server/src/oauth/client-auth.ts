import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Scope } from '@timbrix/shared/scopes';
import { verifyDecoy, verifySecret } from '../auth/passwords.js';
import type { Statements } from '../db/statements.js';
import { invalidClient, OAuthError } from './errors.js';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  method: ClientAuthMethod;
}

/** A client whose secret checked out, as the app stands right now. */
export interface AuthenticatedClient {
  appId: string;
  clientId: string;
  organizationId: string;
  scopes: Scope[];
}

const CLIENT_ID = /^app_[0-9a-f]{16}$/;
const MAX_CACHED = 10_000;

/** `+` is a space in form encoding, which RFC 6749 section 2.3.1 applies inside Basic. */
function formDecode(value: string): string {
  return decodeURIComponent(value.replaceAll('+', ' '));
}

/**
 * The client's credentials from `Authorization: Basic` or from the form body, never both
 * (RFC 6749 section 2.3: one authentication method per request).
 */
export function readClientCredentials(
  authorization: string | undefined,
  body: { client_id?: unknown; client_secret?: unknown },
): ClientCredentials {
  const basic = /^Basic ([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '')?.[1];
  if (basic) {
    if (body.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'Use one client authentication method, not two');
    }
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw invalidClient();
    try {
      const clientId = formDecode(decoded.slice(0, colon));
      const clientSecret = formDecode(decoded.slice(colon + 1));
      if (body.client_id !== undefined && body.client_id !== clientId) {
        throw new OAuthError('invalid_request', 'client_id does not match the Basic credentials');
      }
      return { clientId, clientSecret, method: 'client_secret_basic' };
    } catch (error) {
      if (error instanceof OAuthError) throw error;
      throw invalidClient();
    }
  }
  if (typeof body.client_id === 'string' && typeof body.client_secret === 'string') {
    return {
      clientId: body.client_id,
      clientSecret: body.client_secret,
      method: 'client_secret_post',
    };
  }
  throw invalidClient();
}

/** Runs before a verification that costs argon2 work; told afterwards if the secret matched. */
export type VerificationGuard = () => Promise<{ succeeded(): Promise<void> }>;

function toClient(app: ClientRow): AuthenticatedClient {
  return {
    appId: app.app_id,
    clientId: app.client_id,
    organizationId: app.organization_id,
    scopes: app.scopes,
  };
}

interface ClientRow {
  app_id: string;
  client_id: string;
  organization_id: string;
  scopes: Scope[];
  is_active: boolean;
  secret_id: string | null;
  secret_hash: string | null;
}

/**
 * Checks client secrets. The app and its valid secrets are read on every request (one
 * indexed query), so a deactivated or deleted app, or a secret past its grace period, is
 * refused at once, by every process. What the cache saves is the argon2 verification: it
 * remembers, per secret row, a keyed digest of the secret that last verified against it,
 * and only rows the query still returns can match.
 */
export class ClientAuthenticator {
  /** secret row id -> HMAC of the plaintext that verified; the key never leaves memory. */
  private readonly verified = new Map<string, Buffer>();
  private readonly digestKey = randomBytes(32);

  constructor(
    private readonly sql: Statements,
    private readonly cacheEnabled: boolean,
  ) {}

  /**
   * Authenticates a client. `guard` runs before any argon2 verification (and may refuse it):
   * that is where failed attempts are counted. A secret the cache recognises costs nothing
   * and is never counted, so a client that knows its secret is not slowed by someone
   * guessing at it.
   */
  async authenticate(
    { clientId, clientSecret }: ClientCredentials,
    guard?: VerificationGuard,
  ): Promise<AuthenticatedClient> {
    const rows = CLIENT_ID.test(clientId) ? await this.load(clientId) : [];
    const app = rows[0];
    const secrets = rows.filter((row) => row.secret_id && row.secret_hash);
    const digest = createHmac('sha256', this.digestKey).update(clientSecret).digest();

    if (app && this.recognised(secrets, digest)) {
      if (!app.is_active) throw invalidClient();
      return toClient(app);
    }
    const attempt = await guard?.();
    // No such client: the same argon2 work as a wrong secret.
    const verified = app
      ? await this.verify(secrets, clientSecret, digest)
      : await verifyDecoy(clientSecret);
    if (!verified || !app?.is_active) throw invalidClient();
    await attempt?.succeeded();
    return toClient(app);
  }

  private recognised(secrets: ClientRow[], digest: Buffer): boolean {
    if (!this.cacheEnabled) return false;
    return secrets.some(({ secret_id }) => {
      const known = this.verified.get(secret_id!);
      return known !== undefined && timingSafeEqual(known, digest);
    });
  }

  private async verify(secrets: ClientRow[], presented: string, digest: Buffer): Promise<boolean> {
    if (secrets.length === 0) {
      await verifyDecoy(presented);
      return false;
    }
    for (const { secret_id, secret_hash } of secrets) {
      if (await verifySecret(secret_hash!, presented)) {
        if (this.cacheEnabled) this.remember(secret_id!, digest);
        return true;
      }
    }
    return false;
  }

  private remember(secretId: string, digest: Buffer) {
    if (this.verified.size >= MAX_CACHED) {
      // Oldest first: a Map iterates in insertion order.
      this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(secretId, digest);
  }

  private async load(clientId: string): Promise<ClientRow[]> {
    const { rows } = await this.sql.run<ClientRow>(
      'client-with-valid-secrets',
      `select a.id as app_id, a.client_id, a.organization_id, a.scopes, a.is_active,
              s.id as secret_id, s.secret_hash
         from oauth_apps a
         left join oauth_client_secrets s
           on s.app_id = a.id and (s.expires_at is null or s.expires_at > now())
        where a.client_id = $1`,
      [clientId],
    );
    return rows;
  }
}
