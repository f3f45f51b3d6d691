import { Resolver } from 'node:dns/promises';
import type { DomainResolver } from '../deps';

/**
 * The DNS whitelabel domains are checked on: the servers given (DNS_SERVERS), or the system's when
 * none are. A question unanswered after `timeoutMs`, asked `tries` times, fails the lookup (ETIMEOUT),
 * which the check counts as a hiccup, not as a wrong record: the job must not wait on a dead server,
 * nor suspend a domain because of one.
 */
export function domainResolver(
  servers: readonly string[],
  { timeoutMs = 2_500, tries = 2 }: { timeoutMs?: number; tries?: number } = {},
): DomainResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries });
  if (servers.length > 0) resolver.setServers([...servers]);
  return {
    cname: (host) => resolver.resolveCname(host),
    txt: (host) => resolver.resolveTxt(host),
  };
}
