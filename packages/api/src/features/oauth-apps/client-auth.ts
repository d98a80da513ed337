import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CLIENT_ID_PATTERN } from '@timbrix/shared/schemas';
import type { Scope } from '@timbrix/shared/scopes';
import type { Hasher } from '../../auth/passwords.js';
import { ApiError } from '../../errors/codes.js';
import { mayBeSecret } from '../../lib/secrets.js';
import { secretHint } from './credentials.js';
import type { ClientRow, OAuthAppRepository } from './repository.js';

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
  /** The secret that authenticated it: what it is granted lives only as long as that secret. */
  secretId: string;
  /** May introspect every organization's tokens. */
  isPlatformResourceServer: boolean;
}

const MAX_CACHED = 10_000;

/** Runs before a verification that costs argon2 work; told afterwards if the secret matched. */
export type VerificationGuard = () => Promise<{ succeeded(): Promise<void> }>;

function toClient(app: ClientRow, secretId: string): AuthenticatedClient {
  return {
    appId: app.app_id,
    clientId: app.client_id,
    organizationId: app.organization_id,
    scopes: app.scopes,
    secretId,
    isPlatformResourceServer: app.is_platform_resource_server,
  };
}

type SecretRow = ClientRow & { secret_id: string; secret_hash: string; secret_hint: string };

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
    private readonly apps: OAuthAppRepository,
    private readonly hasher: Hasher,
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
    const rows = CLIENT_ID_PATTERN.test(clientId) ? await this.apps.withValidSecrets(clientId) : [];
    const app = rows[0];
    const secrets = rows.filter((row): row is SecretRow => row.secret_id !== null);
    const digest = createHmac('sha256', this.digestKey).update(clientSecret).digest();

    const known = app && this.recognised(secrets, digest);
    if (app && known) {
      if (!app.is_active) throw new ApiError('INVALID_CLIENT');
      return toClient(app, known);
    }
    const attempt = await guard?.();
    const secretId = await this.verify(secrets, clientSecret, digest);
    if (!app || !secretId || !app.is_active) throw new ApiError('INVALID_CLIENT');
    await attempt?.succeeded();
    return toClient(app, secretId);
  }

  /** The id of the secret row whose remembered digest matches, if any. */
  private recognised(secrets: SecretRow[], digest: Buffer): string | undefined {
    if (!this.cacheEnabled) return undefined;
    return secrets.find(({ secret_id }) => {
      const known = this.verified.get(secret_id);
      return known !== undefined && timingSafeEqual(known, digest);
    })?.secret_id;
  }

  /**
   * The id of the secret `presented` matches. A failed attempt costs the same argon2 work
   * however many secrets are valid, so timing cannot tell an app in a rotation grace period:
   * only the secret whose hint (last four characters) matches the presented one's is
   * verified, else a decoy; two secrets share a hint once in 14 million rotations. A
   * presented value that cannot be a client secret (wrong shape or checksum) costs none.
   */
  private async verify(
    secrets: SecretRow[],
    presented: string,
    digest: Buffer,
  ): Promise<string | undefined> {
    if (!mayBeSecret('clientSecret', presented)) return undefined;
    const candidates = secrets.filter((secret) => secret.secret_hint === secretHint(presented));
    if (candidates.length === 0) return this.hasher.verifyDecoy(presented).then(() => undefined);
    for (const { secret_id, secret_hash } of candidates) {
      if (await this.hasher.verify(secret_hash, presented)) {
        if (this.cacheEnabled) this.remember(secret_id, digest);
        return secret_id;
      }
    }
    return undefined;
  }

  private remember(secretId: string, digest: Buffer) {
    if (this.verified.size >= MAX_CACHED) {
      // Oldest first: a Map iterates in insertion order.
      this.verified.delete(this.verified.keys().next().value!);
    }
    this.verified.set(secretId, digest);
  }
}
