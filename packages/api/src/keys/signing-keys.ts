import {
  type CryptoKey,
  calculateJwkThumbprint,
  exportJWK,
  exportPKCS8,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
} from 'jose';
import type { SigningKey } from './entity.js';
import { open, seal } from './key-encryption.js';
import type { SigningKeyRepository } from './repository.js';

/** Every JWT this server signs uses this algorithm, and every verifier pins it. */
export const SIGNING_ALGORITHM = 'ES256';
/** An unknown `kid` makes us re-read the table at most this often (another process rotated). */
const REFRESH_ON_MISS_INTERVAL_MS = 5_000;
/** Every process re-reads the keys this often, so a rotation reaches all of them. */
export const REFRESH_INTERVAL_MS = 60_000;

interface ActiveKey {
  kid: string;
  privateKey: CryptoKey;
}

/**
 * The server's signing keys, kept in the database with their private halves sealed under
 * the key-encryption key, and cached in memory. All processes on one database share them.
 */
export class SigningKeys {
  private active: ActiveKey | undefined;
  private publicKeys = new Map<string, CryptoKey>();
  private published: JWK[] = [];
  private lastRefresh = 0;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param publishSeconds how long a retired key stays published: the longest lifetime of
   *   anything it signed, plus time for every process to notice the rotation.
   */
  private constructor(
    private readonly repository: SigningKeyRepository,
    private readonly keyEncryptionKey: Buffer,
    private readonly publishSeconds: number,
  ) {}

  /** Loads the keys, making the first one if the database has none, and keeps them fresh. */
  static async load(
    repository: SigningKeyRepository,
    keyEncryptionKey: Buffer,
    longestTokenSeconds: number,
  ): Promise<SigningKeys> {
    const publishSeconds = longestTokenSeconds + (2 * REFRESH_INTERVAL_MS) / 1000;
    const keys = new SigningKeys(repository, keyEncryptionKey, publishSeconds);
    await repository.change(async (within, current) => {
      if (!current) await keys.generate(within);
    });
    await keys.refresh();
    keys.timer = setInterval(() => keys.refresh().catch(() => {}), REFRESH_INTERVAL_MS).unref();
    return keys;
  }

  /** Retires the signing key and makes a new one; processes pick it up on their next refresh. */
  async rotate(): Promise<{ retired: string | undefined; current: string }> {
    let result: { retired: string | undefined; current: string } | undefined;
    await this.repository.change(async (within, current) => {
      if (current) current.retiredAt = new Date();
      const next = await this.generate(within);
      result = { retired: current?.kid, current: next.kid };
    });
    await this.refresh();
    return result!;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  signingKey(): ActiveKey {
    if (!this.active) throw new Error('no active signing key');
    return this.active;
  }

  async verificationKey(kid: string | undefined): Promise<CryptoKey | undefined> {
    if (!kid) return undefined;
    const known = this.publicKeys.get(kid);
    if (known || Date.now() - this.lastRefresh < REFRESH_ON_MISS_INTERVAL_MS) return known;
    // Without the database the keys we have are still right: an unknown kid stays unknown.
    await this.refresh().catch(() => {});
    return this.publicKeys.get(kid);
  }

  /** The public keys, as a JSON Web Key Set. */
  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  /**
   * The JSON Web Key Set as the database has it now, give or take a few seconds: a key
   * another process has begun to sign with is published here before verifiers need it.
   */
  async currentJwks(): Promise<{ keys: JWK[] }> {
    if (Date.now() - this.lastRefresh > REFRESH_ON_MISS_INTERVAL_MS) {
      await this.refresh().catch(() => {}); // without the database, what we have is still right
    }
    return this.jwks();
  }

  private async generate(repository: SigningKeyRepository): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, {
      extractable: true,
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const pkcs8 = Buffer.from(await exportPKCS8(privateKey));
    return repository.create({
      kid,
      algorithm: SIGNING_ALGORITHM,
      publicJwk: { ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
      privateKeySealed: seal(this.keyEncryptionKey, pkcs8, kid),
    });
  }

  /** Re-reads the keys: the newest active one signs; those still published verify. */
  async refresh(): Promise<void> {
    this.lastRefresh = Date.now();
    const publishedSince = new Date(Date.now() - this.publishSeconds * 1000);
    const rows = await this.repository.published(publishedSince);
    const current = rows.find((row) => row.retiredAt === null);
    if (!current) throw new Error('the database holds no active signing key');

    const publicKeys = new Map<string, CryptoKey>();
    for (const row of rows) {
      publicKeys.set(row.kid, (await importJWK(row.publicJwk, row.algorithm)) as CryptoKey);
    }
    if (this.active?.kid !== current.kid) this.active = await this.unseal(current);
    this.publicKeys = publicKeys;
    this.published = rows.map((row) => row.publicJwk as JWK);
  }

  private async unseal(row: SigningKey): Promise<ActiveKey> {
    let pkcs8: string;
    try {
      pkcs8 = open(this.keyEncryptionKey, row.privateKeySealed, row.kid).toString();
    } catch {
      throw new Error(
        'KEY_ENCRYPTION_KEY does not open the signing keys in this database: start with the key they were sealed with',
      );
    }
    return { kid: row.kid, privateKey: await importPKCS8(pkcs8, row.algorithm) };
  }
}
