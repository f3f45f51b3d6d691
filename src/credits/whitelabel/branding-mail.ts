import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/database';
import { fromMailbox } from '../../core/mail/outbox';
import { type NotifyInput, type NotifyResult, notify } from '../../core/notifications/service';
import { ownDatabaseFrom } from '../../core/request-database';
import type { CreditsDeps } from '../deps';
import { shownBrandName } from './branding';
import { domainUrl } from './domain-names';

/**
 * Whose name a mail to a person goes out in. A reseller's customer came in through the reseller's
 * domain and knows its brand, not Tally: while that domain is active, their mail comes from
 * `no-reply@<domain>` under the brand's name, and its links open on that domain (the same paths
 * Tally serves, since the domain is served by this Tally). Anyone else — and a customer whose
 * reseller's domain is not active (pending, or suspended because its records drifted) — gets Tally's
 * mail: a link to a domain that does not reach Tally would lead nowhere.
 */
export interface MailVoice {
  /** The name the mail speaks as: the brand, or "Tally". */
  name: string;
  /** Where its links point: `https://<domain>` or Tally's public address. */
  publicUrl: string;
  /** The From of the message; absent: Tally's configured MAIL_FROM. */
  from?: string;
}

/** The voice of the mail to `userId`, read in the caller's transaction (a purchase that just made them a customer). */
export async function mailVoiceFor(
  tx: Db,
  deps: Pick<CreditsDeps, 'publicUrl' | 'ownDb'>,
  userId: string,
): Promise<MailVoice> {
  // The customer is in the database of the work in progress (a reseller's own, perhaps); the
  // reseller's domain and brand are always in Tally's.
  const [customer] = await queryRows<{ reseller_user_id: string | null }>(
    tx,
    sql`SELECT reseller_user_id FROM credits_customers WHERE user_id = ${userId}`,
  );
  const resellerId = customer?.reseller_user_id;
  const [brand] = resellerId
    ? await queryRows<{ domain: string; brand_name: string | null; owner_name: string | null }>(
        ownDatabaseFrom(tx, deps.ownDb),
        sql`SELECT w.domain, w.brand_name, u.name AS owner_name
            FROM credits_whitelabels w LEFT JOIN core_users u ON u.id = w.user_id
            WHERE w.user_id = ${resellerId} AND w.status = 'active'`,
      )
    : [];
  if (!brand) return { name: 'Tally', publicUrl: deps.publicUrl };
  const name = shownBrandName({ brandName: brand.brand_name, domain: brand.domain }, brand.owner_name);
  return {
    name,
    publicUrl: domainUrl(brand.domain, deps.publicUrl),
    from: fromMailbox(name, `no-reply@${brand.domain}`),
  };
}

/**
 * Notifies a person of the credits line in the voice their mail goes out in: every credits
 * notification goes through here, so a reseller's customer never hears from Tally by mistake.
 */
export async function notifyInVoice(
  tx: Db,
  deps: Pick<CreditsDeps, 'clock' | 'notificationTypes' | 'publicUrl' | 'ownDb'>,
  input: NotifyInput,
  /** The voice when the caller has read it already (to word the notification itself). */
  known?: MailVoice,
): Promise<NotifyResult> {
  const voice = known ?? (await mailVoiceFor(tx, deps, input.userId));
  return notify(
    tx,
    {
      clock: deps.clock,
      types: deps.notificationTypes,
      publicUrl: voice.publicUrl,
      ...(voice.from ? { sender: { from: voice.from, name: voice.name } } : {}),
    },
    input,
  );
}
