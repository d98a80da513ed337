import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../src/index.js';

const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`;
const sign = (secret: string, id: string, timestamp: number, body: string) =>
  `v1,${createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
    .update(`${id}.${timestamp}.${body}`)
    .digest('base64')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

const payload = {
  id: '0195f1c2-0000-7000-8000-000000000001',
  type: 'member.added',
  createdAt: '2026-12-06T10:00:00.000Z',
  organizationId: '0195f1c2-0000-7000-8000-000000000002',
  data: { actor: null, target: { type: 'member', id: 'm1' } },
};
const body = JSON.stringify(payload);

function delivery(secret: string, timestamp = nowSeconds(), extra: string[] = []) {
  const id = 'delivery-1';
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': [...extra, sign(secret, id, timestamp, body)].join(' '),
  };
}

function failure(run: () => unknown): WebhookVerificationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error('verified, though it should not have');
}

describe('verifyWebhook', () => {
  it('verifies the Standard Webhooks reference example', () => {
    // The example of the Standard Webhooks specification (and of its reference libraries).
    const headers = {
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    };
    const result = verifyWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      headers,
      '{"test": 2432232314}',
      { now: new Date(1614265330 * 1000) },
    );
    expect(result).toEqual({ test: 2432232314 });
  });

  it('returns the payload, from a string or bytes, with headers in any case or form', () => {
    const secret = newSecret();
    const headers = delivery(secret);
    expect(verifyWebhook(secret, headers, body)).toEqual(payload);
    expect(verifyWebhook(secret, headers, new TextEncoder().encode(body))).toEqual(payload);
    const shouting = Object.fromEntries(
      Object.entries(headers).map(([key, value]) => [key.toUpperCase(), [value]]),
    );
    expect(verifyWebhook(secret, shouting, body).id).toBe(payload.id);
    expect(verifyWebhook(secret, new Headers(headers), body).type).toBe('member.added');
  });

  it('accepts either signature after a rotation', () => {
    const previous = newSecret();
    const current = newSecret();
    const timestamp = nowSeconds();
    const both = delivery(current, timestamp, [sign(previous, 'delivery-1', timestamp, body)]);
    expect(verifyWebhook(current, both, body)).toEqual(payload);
    expect(verifyWebhook(previous, both, body)).toEqual(payload);
    expect(failure(() => verifyWebhook(newSecret(), both, body)).message).toMatch(/no .*matches/);
  });

  it('refuses a tampered body, another secret, or a signature of another id', () => {
    const secret = newSecret();
    const headers = delivery(secret);
    const tampered = body.replace('member.added', 'member.removed');
    expect(failure(() => verifyWebhook(secret, headers, tampered)).message).toMatch(
      /no webhook-signature matches/,
    );
    expect(() => verifyWebhook(newSecret(), headers, body)).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(secret, { ...headers, 'webhook-id': 'delivery-2' }, body)).toThrow(
      WebhookVerificationError,
    );
  });

  it('refuses an old or future timestamp (a replay), within a 5 minute tolerance', () => {
    const secret = newSecret();
    expect(verifyWebhook(secret, delivery(secret, nowSeconds() - 290), body).id).toBe(payload.id);
    expect(
      failure(() => verifyWebhook(secret, delivery(secret, nowSeconds() - 310), body)).message,
    ).toBe('webhook-timestamp is too old');
    expect(
      failure(() => verifyWebhook(secret, delivery(secret, nowSeconds() + 310), body)).message,
    ).toBe('webhook-timestamp is in the future');
  });

  it('says which header is missing or malformed', () => {
    const secret = newSecret();
    const { 'webhook-signature': _, ...unsigned } = delivery(secret);
    expect(failure(() => verifyWebhook(secret, unsigned, body)).message).toMatch(/missing/);
    expect(
      failure(() =>
        verifyWebhook(secret, { ...delivery(secret), 'webhook-timestamp': 'soon' }, body),
      ).message,
    ).toMatch(/not a Unix time/);
    const v2 = { ...delivery(secret), 'webhook-signature': 'v2,abc v1a,def' };
    expect(() => verifyWebhook(secret, v2, body)).toThrow(WebhookVerificationError);
  });
});
