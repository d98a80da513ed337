import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADDRESS_REFUSED,
  AddressNotAllowedError,
  deliveryAgent,
  guardedLookup,
  isAllowedAddress,
  type Resolver,
  sendWebhook,
  USER_AGENT,
  webhookUrlProblem,
} from '../../../../packages/api/src/features/webhooks/delivery/index.js';

/** The SSRF rule of webhook deliveries: which addresses a delivery may connect to. */

const REFUSED_ADDRESSES = [
  ['IPv4 loopback', '127.0.0.1'],
  ['IPv4 loopback, end of 127/8', '127.255.255.254'],
  ['private 10/8', '10.0.0.1'],
  ['private 172.16/12', '172.16.0.1'],
  ['private 172.16/12, its end', '172.31.255.255'],
  ['private 192.168/16', '192.168.1.1'],
  ['link-local', '169.254.1.1'],
  ['cloud metadata', '169.254.169.254'],
  ['carrier-grade NAT', '100.64.0.1'],
  ['carrier-grade NAT, its end', '100.127.255.254'],
  ['IPv4 multicast', '224.0.0.1'],
  ['IPv4 multicast (SSDP)', '239.255.255.250'],
  ['unspecified', '0.0.0.0'],
  ['this network 0/8', '0.1.2.3'],
  ['broadcast', '255.255.255.255'],
  ['documentation range', '192.0.2.1'],
  ['IPv6 loopback', '::1'],
  ['IPv6 unspecified', '::'],
  ['IPv6 link-local', 'fe80::1'],
  ['IPv6 unique-local fc00::/7', 'fc00::1'],
  ['IPv6 unique-local fd00::', 'fd00::1'],
  ['AWS IPv6 metadata', 'fd00:ec2::254'],
  ['IPv6 multicast', 'ff02::1'],
  ['IPv4-mapped loopback', '::ffff:127.0.0.1'],
  ['IPv4-mapped private', '::ffff:10.0.0.1'],
  ['IPv4-mapped metadata', '::ffff:169.254.169.254'],
  ['IPv4-mapped loopback in hex', '::ffff:7f00:1'],
  ['IPv4-compatible loopback', '::127.0.0.1'],
  ['NAT64 of a private address', '64:ff9b::a00:1'],
  ['6to4 of a private address', '2002:a00:1::'],
  ['not an address', 'example.com'],
] as const;

const PUBLIC_ADDRESSES = [
  '93.184.215.14',
  '8.8.8.8',
  '1.1.1.1',
  '2606:2800:21f:cb07:6820:80da:af6b:2d7c',
  '2001:4860:4860::8888',
];

describe('the address rule', () => {
  it.each(REFUSED_ADDRESSES)('refuses %s (%s)', (_, address) => {
    expect(isAllowedAddress(address)).toBe(false);
  });

  it.each(PUBLIC_ADDRESSES)('allows public unicast %s', (address) => {
    expect(isAllowedAddress(address)).toBe(true);
  });
});

describe('webhook URLs at creation', () => {
  it.each([
    ['IPv4 loopback', 'https://127.0.0.1/hooks'],
    ['decimal', 'https://2130706433/'],
    ['octal', 'https://017700000001/'],
    ['hex', 'https://0x7f.1/'],
    ['one hex number', 'https://0x7f000001/'],
    ['short', 'https://127.1/'],
    ['zero', 'https://0/'],
    ['private with a port', 'https://10.1.2.3:8443/x'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/'],
    ['IPv6 loopback', 'https://[::1]/'],
    ['IPv4-mapped IPv6', 'https://[::ffff:127.0.0.1]/'],
    ['IPv4-mapped IPv6 of a private address', 'https://[::ffff:a00:1]/'],
    ['AWS IPv6 metadata', 'https://[fd00:ec2::254]/'],
    ['IPv6 link-local', 'https://[fe80::1]/'],
    ['localhost', 'https://localhost/'],
    ['LOCALHOST with a trailing dot', 'https://LOCALHOST./'],
    ['a .localhost name', 'https://api.localhost/'],
    ['the GCP metadata name', 'https://metadata.google.internal/'],
  ])('refuses %s (%s), saying why', (_, url) => {
    expect(webhookUrlProblem(url, false)).toBe(ADDRESS_REFUSED);
  });

  it.each([
    ['plain http', 'http://example.com/hooks', 'url must be https'],
    ['plain http to a decimal loopback', 'http://2130706433/', 'url must be https'],
    ['another scheme', 'ftp://example.com/', 'url must be https'],
    ['credentials', 'https://user:pass@example.com/', 'url must not contain credentials'],
    ['not a URL', 'example.com/hooks', 'url must be an absolute URL'],
  ])('refuses %s', (_, url, message) => {
    expect(webhookUrlProblem(url, false)).toBe(message);
  });

  it.each([
    'https://example.com/hooks',
    'https://93.184.215.14/x',
    'https://[2606:2800:21f:cb07:6820:80da:af6b:2d7c]/',
    // A name is checked again on the address each connection uses (below).
    'https://rebinding.example/',
  ])('accepts %s', (url) => {
    expect(webhookUrlProblem(url, false)).toBeNull();
  });

  it('takes plain http and private addresses when private networks are allowed', () => {
    expect(webhookUrlProblem('http://127.0.0.1:3000/hooks', true)).toBeNull();
    expect(webhookUrlProblem('https://localhost/', true)).toBeNull();
    expect(webhookUrlProblem('ftp://127.0.0.1/', true)).toBe('url must be http or https');
  });
});

/** A resolver that answers `addresses` for every name. */
const resolvingTo =
  (...addresses: string[]): Resolver =>
  (_hostname, _options, callback) =>
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

function lookup(
  allowPrivate: boolean,
  resolver: Resolver | undefined,
  hostname: string,
  all: boolean,
): Promise<unknown> {
  return new Promise((resolve, reject) =>
    guardedLookup(allowPrivate, resolver)(hostname, { all }, (error, address, family) =>
      error ? reject(error) : resolve(all ? address : { address, family }),
    ),
  );
}

describe('the guarded lookup (the address a connection uses)', () => {
  it.each(REFUSED_ADDRESSES.filter(([, address]) => address !== 'example.com'))(
    'refuses a name resolving to %s (%s), in both lookup forms',
    async (_, address) => {
      const resolver = resolvingTo(address);
      for (const all of [true, false]) {
        await expect(lookup(false, resolver, 'hooks.example', all)).rejects.toBeInstanceOf(
          AddressNotAllowedError,
        );
      }
    },
  );

  it('refuses a name with a private address among public ones', async () => {
    const resolver = resolvingTo('93.184.215.14', '10.0.0.7');
    await expect(lookup(false, resolver, 'hooks.example', true)).rejects.toThrow(/may not reach/);
  });

  it('passes a public name through, in both forms', async () => {
    const resolver = resolvingTo('93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:2d7c');
    expect(await lookup(false, resolver, 'hooks.example', true)).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800:21f:cb07:6820:80da:af6b:2d7c', family: 6 },
    ]);
    expect(await lookup(false, resolver, 'hooks.example', false)).toEqual({
      address: '93.184.215.14',
      family: 4,
    });
  });

  it('refuses localhost through the system resolver, unless private networks are allowed', async () => {
    await expect(lookup(false, undefined, 'localhost', true)).rejects.toBeInstanceOf(
      AddressNotAllowedError,
    );
    const addresses = (await lookup(true, undefined, 'localhost', true)) as { address: string }[];
    expect(addresses.map(({ address }) => address)).toContainEqual(
      expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
    );
  });
});

describe('a real request through the delivery agent', () => {
  let receiver: Server;
  let port: number;
  const received: IncomingMessage[] = [];
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      received.push(request);
      if (request.url === '/redirect') {
        response.writeHead(302, { location: `http://127.0.0.1:${port}/elsewhere` }).end();
      } else if (request.url === '/big') {
        response.writeHead(200).end('x'.repeat(1024 * 1024));
      } else {
        response.writeHead(200).end('thanks');
      }
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(() => new Promise((resolve) => receiver.close(resolve)));

  const post = async (url: string, allowPrivateNetworks: boolean, resolver?: Resolver) => {
    const dispatcher = deliveryAgent(allowPrivateNetworks, resolver);
    try {
      return await sendWebhook({
        url,
        body: '{"ok":true}',
        headers: { 'webhook-id': 'd1' },
        dispatcher,
        timeoutMs: 5000,
        allowPrivateNetworks,
      });
    } finally {
      await dispatcher.close();
    }
  };

  it('is refused at connect time for a name resolving to loopback (DNS rebinding)', async () => {
    const before = received.length;
    const result = await post(
      `https://rebinding.example:${port}/`,
      false,
      resolvingTo('127.0.0.1'),
    );
    expect(result).toMatchObject({ ok: false, statusCode: null, error: 'address not allowed' });
    expect(received.length).toBe(before);
  });

  it('is refused for a loopback literal and for localhost', async () => {
    const before = received.length;
    for (const url of [`https://127.0.0.1:${port}/`, `https://[::ffff:7f00:1]:${port}/`]) {
      expect((await post(url, false)).error).toBe('address not allowed');
    }
    expect((await post(`https://localhost:${port}/`, false)).error).toBe('address not allowed');
    expect((await post(`http://localhost:${port}/`, false)).error).toBe('url must be https');
    expect(received.length).toBe(before);
  });

  it('goes through when private networks are allowed', async () => {
    const result = await post(`http://hooks.example:${port}/`, true, resolvingTo('127.0.0.1'));
    expect(result).toMatchObject({ ok: true, statusCode: 200, responseBody: 'thanks' });
    const request = received.at(-1)!;
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe(USER_AGENT);
    expect(request.headers['webhook-id']).toBe('d1');
  });

  it('follows no redirect, and keeps only the first 1 KiB of an answer', async () => {
    const before = received.length;
    const redirected = await post(`http://127.0.0.1:${port}/redirect`, true);
    expect(redirected).toMatchObject({ ok: false, statusCode: 302 });
    expect(received.length).toBe(before + 1);
    const big = await post(`http://127.0.0.1:${port}/big`, true);
    expect(big.ok).toBe(true);
    expect(big.responseBody).toBe('x'.repeat(1024));
  });

  it('says a closed port is refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await post(`http://127.0.0.1:${closedPort}/`, true);
    expect(result).toMatchObject({ ok: false, statusCode: null, error: 'connection refused' });
  });
});
