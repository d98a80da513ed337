import { createHmac } from 'node:crypto';
import { signingKeyOf } from '../secrets.js';

export interface SignatureInput {
  /** The delivery's id: the same Webhook-Id on every attempt, so receivers can deduplicate. */
  deliveryId: string;
  /** When this attempt is made, in Unix seconds (receivers reject old ones: replays). */
  timestamp: number;
  /** The body exactly as sent. */
  body: string;
  /** The current secret first, then the previous one while it is in its grace period. */
  secrets: string[];
}

/**
 * The signature headers of one attempt. `webhook-*` are the Standard Webhooks scheme: one
 * `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` per secret, space-separated, so a
 * receiver still holding the old secret after a rotation keeps verifying. `x-webhook-signature`
 * (`sha256=<hex HMAC-SHA256 of the body>`, current secret only) is the documented legacy form.
 */
export function signatureHeaders({
  deliveryId,
  timestamp,
  body,
  secrets,
}: SignatureInput): Record<string, string> {
  const [current] = secrets;
  if (!current) throw new Error('a delivery needs at least one secret to sign with');
  const signed = `${deliveryId}.${timestamp}.${body}`;
  const signatures = secrets.map(
    (secret) => `v1,${createHmac('sha256', signingKeyOf(secret)).update(signed).digest('base64')}`,
  );
  const legacy = createHmac('sha256', signingKeyOf(current)).update(body).digest('hex');
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
    'x-webhook-signature': `sha256=${legacy}`,
  };
}
