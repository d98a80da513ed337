import { type LookupAddress, type LookupOptions, lookup as systemLookup } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may connect (SSRF). Only public unicast addresses: no loopback, private,
 * link-local (169.254.169.254, the cloud metadata address, is one), carrier-grade NAT,
 * multicast, reserved or unspecified address, and for IPv6 only global unicast (2000::/3), so
 * unique-local (fc00::/7, fd00:ec2::254 included), NAT64, 6to4 and IPv4-compatible forms are
 * refused too. IPv4-mapped IPv6 (::ffff:10.0.0.1) is judged as the IPv4 address it maps.
 *
 * The rule is applied to the address each connection actually uses (a lookup hook on the
 * socket), so a name that resolves to a public address when checked and to a private one
 * when connecting (DNS rebinding) is still refused.
 */
export const ADDRESS_REFUSED =
  'url must not point to a loopback, private, link-local, multicast or cloud-metadata address';

/** Names that point inside the machine or the cloud it runs in, whatever DNS says. */
const REFUSED_NAMES = [/^localhost$/, /\.localhost$/, /^metadata\.google\.internal$/];

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parseCIDR('2000::/3');

/** Whether a connection to `address` (an IP address, v4 or v6) is allowed. */
export function isAllowedAddress(address: string): boolean {
  const literal = address.replace(/^\[|\]$/g, '');
  if (isIP(literal) === 0) return false;
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.process(literal);
  } catch {
    return false;
  }
  if (ip.range() !== 'unicast') return false;
  return ip.kind() === 'ipv4' || (ip as ipaddr.IPv6).match(GLOBAL_UNICAST_V6);
}

/** A connection refused by the rule above; `code` is what the delivery log reports. */
export class AddressNotAllowedError extends Error {
  readonly code = 'EADDRNOTALLOWED';
  constructor(host: string) {
    super(`${host} resolves to an address webhooks may not reach`);
    this.name = 'AddressNotAllowedError';
  }
}

type LookupAllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

/** A resolver with `dns.lookup`'s `all: true` form (tests pass a stub). */
export type Resolver = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: LookupAllCallback,
) => void;

const systemResolver: Resolver = (hostname, options, callback) =>
  systemLookup(hostname, options, callback);

/** The `lookup` option of `net.connect`/`tls.connect`, in both its forms. */
export type GuardedLookup = (
  hostname: string,
  options: LookupOptions,
  // biome-ignore lint/suspicious/noExplicitAny: net calls it as (err, address, family) or (err, addresses)
  callback: (error: NodeJS.ErrnoException | null, address: any, family?: number) => void,
) => void;

/**
 * A `lookup` for sockets that resolves as `dns.lookup` does and refuses (with an
 * `AddressNotAllowedError`) a name with any address outside the rule, unless private networks
 * are allowed (development and tests).
 */
export function guardedLookup(
  allowPrivateNetworks: boolean,
  resolve: Resolver = systemResolver,
): GuardedLookup {
  return (hostname, options, callback) => {
    const all = options.all === true;
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, all ? [] : undefined);
      const refused =
        addresses.length === 0 ||
        (!allowPrivateNetworks &&
          (refusedName(hostname) || addresses.some(({ address }) => !isAllowedAddress(address))));
      if (refused) return callback(new AddressNotAllowedError(hostname), all ? [] : undefined);
      if (all) return callback(null, addresses);
      const [first] = addresses;
      callback(null, first!.address, first!.family);
    });
  };
}

const refusedName = (hostname: string) => {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return REFUSED_NAMES.some((pattern) => pattern.test(name));
};

/** The host of `url` when it is an IP literal (no lookup happens for those), else null. */
function literalHost(url: URL): string | null {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) === 0 ? null : host;
}

/**
 * Whether a connection to `url` is refused before any lookup: an IP-literal host outside the
 * rule (the WHATWG parser has already turned 2130706433, 0x7f.1, 017700000001 and 127.1 into
 * 127.0.0.1), or a name that always means this machine.
 */
export function refusedBeforeLookup(url: URL, allowPrivateNetworks: boolean): boolean {
  if (allowPrivateNetworks) return false;
  const literal = literalHost(url);
  return literal ? !isAllowedAddress(literal) : refusedName(url.hostname);
}

/**
 * What is wrong with `url` as a webhook URL, or null: https (plain http too when private
 * networks are allowed), no credentials in it, and no host the delivery would refuse anyway.
 * A name is checked again at delivery, on the address the connection uses.
 */
export function webhookUrlProblem(url: string, allowPrivateNetworks: boolean): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'url must be an absolute URL';
  }
  const protocols = allowPrivateNetworks ? ['https:', 'http:'] : ['https:'];
  if (!protocols.includes(parsed.protocol)) {
    return allowPrivateNetworks ? 'url must be http or https' : 'url must be https';
  }
  if (parsed.username || parsed.password) return 'url must not contain credentials';
  if (refusedBeforeLookup(parsed, allowPrivateNetworks)) return ADDRESS_REFUSED;
  return null;
}
