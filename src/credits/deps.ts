import { resolveCname, resolveTxt } from 'node:dns/promises';
import type { ChainRuntime } from '../chain/runtime';
import type { OrganizationKinds } from '../core/access/roles';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import type { NotificationTypes } from '../core/notifications/registry';
import { type CreditsSpender, creditsSpender } from './engine/spend-batch';

/** Looks up the DNS records a whitelabel domain is checked by; the system's DNS by default. */
export interface DomainResolver {
  cname(host: string): Promise<string[]>;
  /** Each TXT record as its strings, as `node:dns` gives them. */
  txt(host: string): Promise<string[][]>;
}

export const systemDomainResolver: DomainResolver = { cname: resolveCname, txt: resolveTxt };

/** What the credits line's services need. */
export interface CreditsDeps {
  /** The database of the work in progress: a reseller's own inside its requests and jobs. */
  db: Db;
  /** Tally's own database whatever the work in progress: resellers' domains and brands live there. */
  ownDb: Db;
  clock: Clock;
  /** The group commit the hot spending routes go through (spend-batch.ts). */
  spender: CreditsSpender;
  /** Where people reach Tally: links in mails, and the host resellers point their CNAME at. */
  publicUrl: string;
  dns: DomainResolver;
  /** The kinds of organisation this Tally serves; a workspace is one of them. */
  kinds: OrganizationKinds;
  /** The notification types people choose channels for; the line's own are among them. */
  notificationTypes: NotificationTypes;
  /** The checkout takes USDC on it; without one the checkout is off. */
  chain?: ChainRuntime;
}

/**
 * The services on another clock (the demo dates its data a month back): their spends go through a
 * group commit of that clock, one transaction at a time.
 */
export function onClock(deps: CreditsDeps, clock: Clock): CreditsDeps {
  return { ...deps, clock, spender: creditsSpender({ db: deps.db, parallelism: 1 }, clock) };
}
