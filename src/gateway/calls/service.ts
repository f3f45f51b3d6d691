import { sql } from 'drizzle-orm';
import { queryRows } from '../../core/database';
import type { GatewayDeps } from '../deps';
import { availableOf, creditsAccountOf, findAccount } from '../ledger';

/** The seed's user states, read from the balance. */
export const userStates = ['no_credits', 'has_credits', 'insufficient_credits', 'withdrew_funds'] as const;
export type UserState = (typeof userStates)[number];

export interface Balance {
  available: bigint;
  held: bigint;
  deposited: bigint;
  spent: bigint;
  state: UserState;
}

/**
 * A person's balance as the ledger has it (with what leases hold for calls and did not use counted
 * as available), and their state in the seed's words: `no_credits` before
 * any deposit arrives, `withdrew_funds` when the last of it was withdrawn, `insufficient_credits`
 * when it no longer pays for the cheapest priced tool, `has_credits` otherwise.
 */
export async function balanceOf(deps: Pick<GatewayDeps, 'db' | 'meter'>, userId: string): Promise<Balance> {
  // Calls that ended are committed first; what this process's leases hold unused is available.
  await deps.meter.flushed();
  const account = await findAccount(deps.db, creditsAccountOf(userId));
  if (!account) return { available: 0n, held: 0n, deposited: 0n, spent: 0n, state: 'no_credits' };
  const unused = deps.meter.unusedOf(userId);
  const available = availableOf(account) + unused;
  const [row] = await queryRows<{ withdrawn: boolean; cheapest: string | null }>(
    deps.db,
    sql`SELECT EXISTS (SELECT 1 FROM gateway_withdrawals WHERE user_id = ${userId} AND state = 'paid') AS withdrawn,
               (SELECT min(price)::text FROM gateway_tools t JOIN gateway_servers s ON s.id = t.server_id
                 WHERE t.price > 0 AND t.listed AND s.state = 'active') AS cheapest`,
  );
  const state: UserState =
    account.creditsPosted === 0n
      ? 'no_credits'
      : available === 0n && account.debitsPending === 0n && row?.withdrawn
        ? 'withdrew_funds'
        : available === 0n ||
            (row?.cheapest !== null && row?.cheapest !== undefined && available < BigInt(row.cheapest))
          ? 'insufficient_credits'
          : 'has_credits';
  return {
    available,
    held: account.debitsPending - unused,
    deposited: account.creditsPosted,
    spent: account.debitsPosted,
    state,
  };
}
