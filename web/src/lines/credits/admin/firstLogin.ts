import type { CreditsProfile, CreditsPurchase } from '../../../api/types';
import { formatDateTime } from '../../../lib/dates';

/**
 * Whether a person still has a first login to do. Only an account a purchase registered (with a
 * temporary password by mail) has one; an account people made themselves, an administrator's
 * included, never waits for it. `purchases` are the person's, or undefined while they load.
 */
export function firstLoginState(
  person: Pick<CreditsProfile, 'onboarded_at'>,
  purchases: Pick<CreditsPurchase, 'registered'>[] | undefined,
): string {
  if (person.onboarded_at) return formatDateTime(person.onboarded_at);
  if (purchases === undefined) return '…';
  return purchases.some((purchase) => purchase.registered)
    ? 'waiting for first login'
    : 'not needed: they made their own account';
}
