import type { User } from '../api/types';

/** What to call a person: their name, else their email, else their first wallet's address, shortened. */
export function displayName(user: User): string {
  if (user.name.trim()) return user.name.trim();
  if (user.email) return user.email;
  const address = user.wallets[0]?.address;
  return address ? `${address.slice(0, 6)}…${address.slice(-4)}` : 'You';
}
