import { createHmac, hkdfSync } from 'node:crypto';
import { API_KEY_PREFIX_LENGTH } from '@timbrix/shared/schemas';
import { isTimbrixSecret, SECRET_PREFIXES } from '@timbrix/shared/secrets';
import { ApiError } from '../../errors/codes.js';
import { newSecret } from '../../lib/secrets.js';
import type { LimitRule, RateLimiter } from '../../limits/rate-limiter.js';
import type { ApiKeyPrincipal } from '../../principals.js';
import { isAllowedClient } from './addresses.js';
import type { ApiKeyRepository } from './repository.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/**
 * A key's digest: HMAC-SHA256 under a key of its own derived from KEY_ENCRYPTION_KEY (HKDF).
 * A key is 256 random bits, so a keyed hash is enough (argon2's cost is for guessable
 * passwords), and one exact digest is one indexed lookup. Without the derived key, a stolen
 * table can't even confirm a guess; a new KEY_ENCRYPTION_KEY leaves every key unmatched.
 */
export class ApiKeyDigests {
  private readonly key: Buffer;

  constructor(keyEncryptionKey: Buffer) {
    this.key = Buffer.from(
      hkdfSync('sha256', keyEncryptionKey, Buffer.alloc(0), 'timbrix api-key digest v1', 32),
    );
  }

  of(apiKey: string): string {
    return createHmac('sha256', this.key).update(apiKey).digest('base64url');
  }
}

/** A new key, with what is kept of it: its digest and its first characters. */
export interface NewApiKey {
  plaintext: string;
  digest: string;
  prefix: string;
}

/** API keys as credentials: making them, recognising them, admitting a request made with one. */
export class ApiKeys {
  constructor(
    private readonly repository: ApiKeyRepository,
    private readonly digests: ApiKeyDigests,
    /** Counts every key's own limits, whatever RATE_LIMITS says. */
    private readonly limits: RateLimiter,
  ) {}

  generate(): NewApiKey {
    const plaintext = newSecret('apiKey');
    const start = SECRET_PREFIXES.apiKey.length;
    return {
      plaintext,
      digest: this.digests.of(plaintext),
      prefix: plaintext.slice(start, start + API_KEY_PREFIX_LENGTH),
    };
  }

  /**
   * The key `presented` is, while it is live (not revoked or expired, its creator still in the
   * organization or still there); null for anything else. A malformed key, or one whose
   * checksum fails (a typo), costs no lookup. Nothing is cached: a revocation holds at once on
   * every process.
   */
  async authenticate(presented: string): Promise<ApiKeyPrincipal | null> {
    if (!isTimbrixSecret(presented, 'apiKey')) return null;
    const key = await this.repository.liveForRequest(this.digests.of(presented));
    if (!key) return null;
    return {
      kind: 'api_key',
      keyId: key.id,
      organizationId: key.organization_id,
      scopes: key.scopes,
      userId: null,
      allowedIps: key.allowed_ips ?? [],
      rateLimitPerMinute: key.rate_limit_per_minute,
      rateLimitPerHour: key.rate_limit_per_hour,
    };
  }

  /**
   * Lets a request made with `key` from `ip` through, or refuses it: 403 from an address the
   * key is not allowed at (without saying which are), 429 past one of its own limits. A
   * refused address counts nothing against the limits.
   */
  async admit(key: ApiKeyPrincipal, ip: string): Promise<void> {
    if (!isAllowedClient(ip, key.allowedIps)) throw new ApiError('API_KEY_ADDRESS_NOT_ALLOWED');
    const checks: [LimitRule, string][] = [];
    if (key.rateLimitPerMinute !== null) {
      checks.push([
        { name: 'key-minute', max: key.rateLimitPerMinute, windowMs: MINUTE_MS },
        key.keyId,
      ]);
    }
    if (key.rateLimitPerHour !== null) {
      checks.push([{ name: 'key-hour', max: key.rateLimitPerHour, windowMs: HOUR_MS }, key.keyId]);
    }
    await this.limits.consumeEach(checks);
  }
}
