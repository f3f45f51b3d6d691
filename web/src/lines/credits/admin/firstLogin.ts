import type { CreditsCustomer } from '../../../api/types';
import { formatToTheSecond } from '../../../lib/dates';

/** Where a person stands with their first login, in words: when they did it, or why there is none yet. */
export function firstLoginState(person: Pick<CreditsCustomer, 'onboarded_at' | 'first_login'>): string {
  switch (person.first_login) {
    case 'done':
      return person.onboarded_at ? formatToTheSecond(person.onboarded_at) : 'done';
    case 'waiting':
      return 'waiting for first login';
    case 'not_needed':
      return 'not needed: they made their own account';
  }
}
