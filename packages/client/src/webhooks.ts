import { createHmac, timingSafeEqual } from 'node:crypto';

/** What every Timbrix webhook delivery carries. */
export interface WebhookPayload<Data = Record<string, unknown>> {
  /** The event's id (the same event reaches each webhook as its own delivery). */
  id: string;
  type: string;
  createdAt: string;
  organizationId: string;
  data: Data;
}

/** A delivery that did not verify: don't act on it (answer 400 or 401). */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

export type WebhookHeaders =
  | Headers
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null };

export interface VerifyWebhookOptions {
  /** How far the delivery's timestamp may be from now: 300 s (5 minutes) by default. */
  toleranceSeconds?: number;
  /** The time to verify at (tests). */
  now?: Date;
}

const DEFAULT_TOLERANCE_SECONDS = 300;

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() !== name) continue;
    const first = Array.isArray(value) ? value[0] : value;
    return typeof first === 'string' ? first : undefined;
  }
  return undefined;
}

/**
 * Verifies a Timbrix webhook delivery (the Standard Webhooks scheme) and returns its payload.
 * `secret` is the webhook's `whsec_...` secret; `headers` the request's headers (a `Headers`
 * object or a plain record, any case); `body` the raw body, exactly as received (parse it only
 * after verifying). Any one `v1,` signature made with the secret passes (after a rotation the
 * old secret signs beside the new one); a timestamp more than 5 minutes away is a replay.
 *
 * @throws WebhookVerificationError
 */
export function verifyWebhook<Data = Record<string, unknown>>(
  secret: string,
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: VerifyWebhookOptions = {},
): WebhookPayload<Data> {
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'missing webhook-id, webhook-timestamp or webhook-signature header',
    );
  }
  if (!/^\d+$/.test(timestamp)) {
    throw new WebhookVerificationError('webhook-timestamp is not a Unix time in seconds');
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const age = now - Number(timestamp);
  if (age > tolerance) throw new WebhookVerificationError('webhook-timestamp is too old');
  if (age < -tolerance) throw new WebhookVerificationError('webhook-timestamp is in the future');

  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  if (key.length === 0) throw new WebhookVerificationError('the secret is not a whsec_ secret');
  const raw = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(raw).digest();
  const matches = signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',', 2);
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
  if (!matches) {
    throw new WebhookVerificationError('no webhook-signature matches the body and the secret');
  }

  try {
    return JSON.parse(raw.toString('utf8')) as WebhookPayload<Data>;
  } catch {
    throw new WebhookVerificationError('the body is not JSON');
  }
}
