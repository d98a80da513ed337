import { createHash } from 'node:crypto';
import { newSecret } from '@timbrix/api';
import {
  BASE62_ALPHABET,
  isTimbrixSecret,
  SECRET_BODY_LENGTH,
  secretPattern,
} from '@timbrix/shared/secrets';
import { describe, expect, it } from 'vitest';
import { api, signUp, tenant, uniqueEmail, useTestServer } from '../harness/index.js';

/**
 * One secret format, recognisable when it leaks: prefix, base62 body of at least 256 random
 * bits, base62 CRC32. The bits are checked on the decoded body of many secrets, not on the
 * string's length: a body padded out from fewer random bits would have bits that never change.
 */
const server = useTestServer();

const decode = (body: string) =>
  [...body].reduce((value, char) => value * 62n + BigInt(BASE62_ALPHABET.indexOf(char)), 0n);

describe('the random part of a secret', () => {
  it('carries at least 256 independent, evenly set bits', () => {
    const samples = 4000;
    const ones = new Array<number>(256).fill(0);
    const seen = new Set<string>();
    for (let i = 0; i < samples; i++) {
      const secret = newSecret('clientSecret');
      const body = secret.slice(3, 3 + SECRET_BODY_LENGTH);
      seen.add(body);
      const value = decode(body);
      for (let bit = 0; bit < 256; bit++) if ((value >> BigInt(bit)) & 1n) ones[bit]!++;
    }
    expect(seen.size).toBe(samples);
    // Each bit is set about half the time (the top one a little more: 62^43 is just over 2^256).
    for (const [bit, count] of ones.entries()) {
      expect(count / samples, `bit ${bit}`).toBeGreaterThan(0.44);
      expect(count / samples, `bit ${bit}`).toBeLessThan(0.56);
    }
  });

  it('uses every base62 character about equally', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const char of newSecret('apiKey').slice(3, 3 + SECRET_BODY_LENGTH)) {
        counts.set(char, (counts.get(char) ?? 0) + 1);
      }
    }
    const expected = (2000 * SECRET_BODY_LENGTH) / 62;
    expect(counts.size).toBe(62);
    for (const count of counts.values()) {
      expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
    }
  });
});

describe('secrets the API hands out', () => {
  it('are client secrets and invitation tokens in the published format', async () => {
    const org = await tenant(server().url);
    const app = await org.createApp();
    expect(app.clientSecret).toMatch(secretPattern('clientSecret'));
    expect(isTimbrixSecret(app.clientSecret, 'clientSecret')).toBe(true);
    const rotated = await api(server().url, 'POST', `/oauth/apps/${app.clientId}/secret`, {
      token: org.owner.token,
      body: {},
    });
    expect(isTimbrixSecret(rotated.body.clientSecret, 'clientSecret')).toBe(true);
    const invite = await api(
      server().url,
      'POST',
      `/organizations/${org.organizationId}/members/invite`,
      { token: org.owner.token, body: { email: uniqueEmail(), role: 'member' } },
    );
    expect(invite.body.token).toMatch(secretPattern('invitation'));
    expect(isTimbrixSecret(invite.body.token, 'invitation')).toBe(true);
  });

  it('refuse an invitation token whose checksum is wrong, and keep earlier tokens working', async () => {
    const org = await tenant(server().url);
    const invitee = await signUp(server().url);
    const invite = await api(
      server().url,
      'POST',
      `/organizations/${org.organizationId}/members/invite`,
      { token: org.owner.token, body: { email: invitee.email, role: 'member' } },
    );
    const token: string = invite.body.token;
    const mistyped = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    const accept = (value: string) =>
      api(server().url, 'POST', '/invites/accept', {
        token: invitee.token,
        body: { token: value },
      });
    expect((await accept(mistyped)).status).toBe(404);

    // A token in the format used before: prefix + base64url, stored by its SHA-256.
    const legacy = `inv_${Buffer.alloc(32, 9).toString('base64url')}`;
    await server().sql('update invitations set token_hash = $1 where organization_id = $2', [
      createHash('sha256').update(legacy).digest('hex'),
      org.organizationId,
    ]);
    expect((await accept(token)).status).toBe(404);
    expect((await accept(legacy)).status).toBe(200);
  });
});
