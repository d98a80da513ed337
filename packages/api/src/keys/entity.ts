import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { createdAt } from '../db/base.js';

export const SigningKey = defineEntity({
  name: 'SigningKey',
  tableName: 'signing_keys',
  properties: {
    kid: p.string().length(64).primary(),
    algorithm: p.string().length(16),
    publicJwk: p.json<Record<string, unknown>>(),
    /** PKCS#8 private key sealed with AES-256-GCM under KEY_ENCRYPTION_KEY. */
    privateKeySealed: p.text(),
    createdAt: createdAt(),
    /** When it stopped signing; it is still published while tokens it signed can live. */
    retiredAt: p.datetime().nullable(),
  },
});
export type SigningKey = InferEntity<typeof SigningKey>;
