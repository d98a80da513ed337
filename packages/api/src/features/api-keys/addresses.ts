import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/** How many bits an address of this kind has: a range of all of them is one address. */
const widthOf = (address: Address) => (address.kind() === 'ipv4' ? 32 : 128);

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 address it maps, ranges too. */
function rangeOf(entry: string): Range {
  const [address, bits] = entry.includes('/')
    ? ipaddr.parseCIDR(entry)
    : ([ipaddr.parse(entry), undefined] as const);
  const prefix = bits ?? widthOf(address);
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), prefix - 96];
  }
  return [address, prefix];
}

/**
 * The canonical form of an allowed address or range, as stored and shown: the network of a
 * range (10.0.0.7/8 is 10.0.0.0/8), IPv6 compressed, a single address without a prefix, and
 * IPv4-mapped IPv6 as the IPv4 it maps. The entries were checked by the input schema.
 */
export function canonicalAllowedIp(entry: string): string {
  const [address, prefix] = rangeOf(entry);
  if (prefix === widthOf(address)) return address.toString();
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${prefix}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${prefix}`);
  return `${network.toString()}/${prefix}`;
}

/** The canonical list, each entry once; an empty list (any address) is stored as null. */
export function canonicalAllowedIps(entries: readonly string[] | undefined) {
  if (entries === undefined) return undefined;
  const canonical = [...new Set(entries.map(canonicalAllowedIp))];
  return canonical.length > 0 ? canonical : null;
}

/**
 * Whether `client` (the request's address, as the server trusts it) is within `allowed`; an
 * empty list allows every address. An address that cannot be read is within nothing.
 */
export function isAllowedClient(client: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true;
  let address: Address;
  try {
    address = ipaddr.process(client);
  } catch {
    return false;
  }
  return allowed.some((entry) => {
    const [network, prefix] = rangeOf(entry);
    return network.kind() === address.kind() && address.match(network as never, prefix);
  });
}
