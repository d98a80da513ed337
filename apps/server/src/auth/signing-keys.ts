import type { MikroORM } from '@mikro-orm/postgresql';
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
import { SigningKey } from '../db/entities/index.js';
import { open, seal } from './key-encryption.js';

/** Every JWT this server signs uses this algorithm, and every verifier pins it. */
export const SIGNING_ALGORITHM = 'ES256';
/** An unknown `kid` makes us re-read the table at most this often (another process rotated). */
const REFRESH_ON_MISS_INTERVAL_MS = 5_000;
const KEY_CREATION_LOCK = 7270011;

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

  private constructor(
    private readonly orm: MikroORM,
    private readonly keyEncryptionKey: Buffer,
  ) {}

  /** Loads the keys, making the first one if the database has none. */
  static async load(orm: MikroORM, keyEncryptionKey: Buffer): Promise<SigningKeys> {
    const keys = new SigningKeys(orm, keyEncryptionKey);
    await orm.em.fork().transactional(async (em) => {
      await em.execute(`select pg_advisory_xact_lock(${KEY_CREATION_LOCK})`);
      if ((await em.count(SigningKey, { retiredAt: null })) === 0) {
        em.persist(await keys.generate());
      }
    });
    await keys.refresh();
    return keys;
  }

  signingKey(): ActiveKey {
    if (!this.active) throw new Error('no active signing key');
    return this.active;
  }

  async verificationKey(kid: string | undefined): Promise<CryptoKey | undefined> {
    if (!kid) return undefined;
    const known = this.publicKeys.get(kid);
    if (known || Date.now() - this.lastRefresh < REFRESH_ON_MISS_INTERVAL_MS) return known;
    await this.refresh();
    return this.publicKeys.get(kid);
  }

  /** The public keys, as a JSON Web Key Set. */
  jwks(): { keys: JWK[] } {
    return { keys: this.published };
  }

  private async generate(): Promise<SigningKey> {
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, {
      extractable: true,
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const pkcs8 = Buffer.from(await exportPKCS8(privateKey));
    return this.orm.em.create(
      SigningKey,
      {
        kid,
        algorithm: SIGNING_ALGORITHM,
        publicJwk: { ...publicJwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
        privateKeySealed: seal(this.keyEncryptionKey, pkcs8, kid),
      },
      { persist: false },
    );
  }

  private async refresh(): Promise<void> {
    this.lastRefresh = Date.now();
    const rows = await this.orm.em.fork().find(SigningKey, {}, { orderBy: { createdAt: 'desc' } });
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
