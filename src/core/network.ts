import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { AppError } from './errors';

/**
 * Addresses a Tally must not reach on a user's behalf: loopback, private networks, link-local (cloud
 * metadata services live at 169.254.169.254), carrier-grade NAT, benchmarking, multicast and
 * reserved ranges, in IPv4 and IPv6 (IPv4-mapped IPv6 included). A provider who could point Tally at
 * them would read the operator's internal services through Tally's answers.
 */
const privateRanges = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  privateRanges.addSubnet(network, prefix, 'ipv6');
}

/** Whether an IP address (v4 or v6) is one a Tally must not reach for someone else. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return privateRanges.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return privateRanges.check(mapped, 'ipv4');
  return privateRanges.check(address, 'ipv6');
}

export type HostResolver = (host: string) => Promise<string[]>;

const systemResolver: HostResolver = async (host) =>
  (await lookup(host, { all: true })).map((a) => a.address);

/**
 * Refuses a URL whose host is, or resolves to, an address of the operator's own networks, unless
 * the installation allows them (a developer's machine, where everything is on 127.0.0.1). `field`
 * names the input the URL came from.
 */
export async function assertPublicUrl(
  url: string,
  options: { allowPrivate: boolean; field: string; resolve?: HostResolver },
): Promise<void> {
  if (options.allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await (options.resolve ?? systemResolver)(host);
  } catch {
    throw new AppError('validation_failed', `the host ${host} does not resolve`, { field: options.field });
  }
  const refused = addresses.find(isPrivateAddress);
  if (refused !== undefined || addresses.length === 0) {
    throw new AppError(
      'validation_failed',
      `${host} is an address of a private network (${refused ?? 'none'}); Tally reaches only public addresses for others`,
      { field: options.field },
    );
  }
}
