import { isIP } from 'node:net';
import { AppError } from '../../core/errors';

/**
 * Which names a reseller may claim, and where they point. A public Tally takes public names only; a
 * development Tally (its public address is this machine) takes names under `.localhost` only, which
 * reach this machine by definition (RFC 6761 §6.3) and so need no DNS records at all.
 */

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Top-level names that never reach the public DNS (RFC 6761, RFC 6762, RFC 8375, RFC 2606). */
const LOCAL_NAMES = new Set([
  'localhost',
  'local',
  'internal',
  'lan',
  'home',
  'arpa',
  'invalid',
  'test',
  'example',
]);

/**
 * A host name as DNS has it: lower case, no trailing dot, two labels or more, 253 characters at most,
 * and a top-level label that is not a number (so no IP address) nor a name that never leaves the
 * machine or the local network — except `localhost` when `development` says this Tally is on the
 * machine its names reach.
 */
export function normalizeDomain(domain: string, { development = false } = {}): string {
  const host = domain.trim().toLowerCase().replace(/\.$/, '');
  const labels = host.split('.');
  const top = labels.at(-1) ?? '';
  const local = LOCAL_NAMES.has(top) && !(development && top === 'localhost');
  if (
    host.length > 253 ||
    labels.length < 2 ||
    !labels.every((label) => LABEL.test(label)) ||
    /^\d+$/.test(top) ||
    local
  ) {
    const kind = development ? 'domain name' : 'public domain name';
    throw new AppError('validation_failed', `"${domain}" is not a ${kind}`, { field: 'domain' });
  }
  return host;
}

/** Where the TXT record that proves a claim lives. */
export const challengeHostOf = (domain: string): string => `_tally-challenge.${domain}`;

export const cnameTargetOf = (publicUrl: string): string => new URL(publicUrl).hostname.toLowerCase();

const hostOf = (publicUrl: string) => cnameTargetOf(publicUrl).replace(/^\[|\]$/g, '');

/** A name under `.localhost`: this machine, whatever the DNS says (RFC 6761 §6.3). */
export const isDevelopmentDomain = (domain: string): boolean => domain.endsWith('.localhost');

/**
 * Whether this Tally is a development install: its public address is this machine's own name or a
 * loopback address, so the names that reach it are those under `.localhost`.
 */
export function isDevelopmentTally(publicUrl: string): boolean {
  const host = hostOf(publicUrl);
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  return (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';
}

/**
 * Why no public domain can point its CNAME at this Tally, or null: its public address is the
 * machine's own name (`localhost`, a development install), a single label, or an IP address (a CNAME
 * names a host, never an address). A development Tally still takes `.localhost` names.
 */
export function publicAddressProblem(publicUrl: string): string | null {
  const host = hostOf(publicUrl);
  const loopback = host === 'localhost' || host.endsWith('.localhost');
  if (!loopback && !isIP(host) && host.includes('.')) return null;
  const unreachable = `This Tally's public address is ${publicUrl}, which a domain's CNAME record cannot point at${loopback ? ' (it is this machine’s own name)' : ''}.`;
  const publicly =
    'For a public domain, whoever runs this Tally sets PUBLIC_URL to its public host name (for example https://tally.example.com).';
  return isDevelopmentTally(publicUrl)
    ? `${unreachable} On this development Tally, use a name like acme.localhost: names under .localhost reach this machine by definition, with no DNS records. ${publicly}`
    : `${unreachable} ${publicly} Then set your domain here.`;
}

/**
 * Where the reseller's customers reach an active domain: over HTTPS behind the proxy that serves
 * Tally (see the README's Caddy section), or on a development Tally as its own address is reached,
 * with its scheme and port.
 */
export function domainUrl(domain: string, publicUrl: string): string {
  if (!isDevelopmentDomain(domain)) return `https://${domain}`;
  const { protocol, port } = new URL(publicUrl);
  return `${protocol}//${domain}${port ? `:${port}` : ''}`;
}
