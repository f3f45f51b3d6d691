import type { ChainRuntime } from '../chain/runtime';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import type { FileDeps } from '../core/files/service';
import type { Keyring } from '../core/keyring';
import type { Logger } from '../core/log';
import type { NotificationTypes } from '../core/notifications/registry';
import type { Meter } from './calls/meter';
import type { GrantCache } from './proxy/auth';
import type { PriceBooks } from './proxy/price-book';

/** What the gateway line's services need. */
export interface GatewayDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Seals upstream credentials; signs receipts and price quotes. */
  keys: Keyring;
  /** KYC documents are the core's uploads. */
  files: FileDeps;
  notificationTypes: NotificationTypes;
  /** Where people reach Tally: links in mails. */
  publicUrl: string;
  /** Whether upstreams and usage reports may be on loopback or private addresses (a developer's machine). */
  allowPrivateNetwork: boolean;
  /** Deposits, withdrawals and payouts need it; without one they answer `chain_unavailable`. */
  chain?: ChainRuntime;
  /**
   * What the call path keeps in memory, one of each per Tally, shared by the endpoint and the
   * services that change what it keeps: charging from leases (withdrawals and revocations end
   * leases), grants as read a moment ago (a revocation forgets one), and servers' prices (a new
   * price or a pause applies at once).
   */
  meter: Meter;
  grants: GrantCache;
  prices: PriceBooks;
}

/** The keyring purposes of the gateway. */
export const KEY_PURPOSES = {
  upstreamHeader: 'gateway.upstream-header',
} as const;
