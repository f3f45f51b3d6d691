import { sql } from 'drizzle-orm';
import { queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { getAccount } from '../../ledger/service';
import type { GatewayDeps } from '../deps';
import { creditsAccountOf } from '../ledger';

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
 * A person's balance as the ledger has it, and their state in the seed's words: `no_credits` before
 * any deposit arrives, `withdrew_funds` when the last of it was withdrawn, `insufficient_credits`
 * when it no longer pays for the cheapest priced tool, `has_credits` otherwise.
 */
export async function balanceOf(deps: Pick<GatewayDeps, 'db'>, userId: string): Promise<Balance> {
  let account: Awaited<ReturnType<typeof getAccount>> | null = null;
  try {
    account = await getAccount(deps, creditsAccountOf(userId));
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'not_found')) throw error;
  }
  if (!account) return { available: 0n, held: 0n, deposited: 0n, spent: 0n, state: 'no_credits' };
  const available = account.creditsPosted - account.debitsPosted - account.debitsPending;
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
    held: account.debitsPending,
    deposited: account.creditsPosted,
    spent: account.debitsPosted,
    state,
  };
}
