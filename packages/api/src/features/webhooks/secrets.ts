import { randomBytes } from 'node:crypto';
import { open, seal } from '../../keys/key-encryption.js';

/** A signing secret in the Standard Webhooks form: `whsec_` and the base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The HMAC key a secret stands for (Standard Webhooks: the bytes after `whsec_`). */
export function signingKeyOf(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/** The context a sealed secret is bound to: copied onto another webhook's row, it won't open. */
const contextOf = (webhookId: string) => `webhook:${webhookId}`;

export function sealWebhookSecret(key: Buffer, secret: string, webhookId: string): string {
  return seal(key, Buffer.from(secret), contextOf(webhookId));
}

export function openWebhookSecret(key: Buffer, sealed: string, webhookId: string): string {
  return open(key, sealed, contextOf(webhookId)).toString();
}

/** Webhook secrets sealed and opened under the key-encryption key, which stays in here. */
export class WebhookSecrets {
  constructor(private readonly keyEncryptionKey: Buffer) {}

  seal(secret: string, webhookId: string): string {
    return sealWebhookSecret(this.keyEncryptionKey, secret, webhookId);
  }

  open(sealed: string, webhookId: string): string {
    return openWebhookSecret(this.keyEncryptionKey, sealed, webhookId);
  }
}
