import { coopLine } from './coop/line';
import type { Config } from './core/config';
import { creditsLine, defineCreditsLine } from './credits/line';
import { domainResolver } from './credits/whitelabel/domain-resolver';
import { gatewayLine } from './gateway/line';
import type { ProductLine } from './product-line';
import { streamsLine } from './streams/line';

/** Tally's product lines. Adding a line is adding it here; nothing else in the core changes. */
export const productLines: readonly ProductLine[] = [gatewayLine, creditsLine, coopLine, streamsLine];

/** Tally's product lines as this installation's settings shape them: whitelabel domains are looked up on DNS_SERVERS. */
export function configuredProductLines(config: Pick<Config, 'dnsServers'>): readonly ProductLine[] {
  const credits = defineCreditsLine({ dns: domainResolver(config.dnsServers) });
  return productLines.map((line) => (line === creditsLine ? credits : line));
}
