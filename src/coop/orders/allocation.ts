import type { AllocationRule } from '../schema';

/** One household's claim on a product that ran short. */
export interface Claim {
  householdId: string;
  /** Items it ordered. */
  quantity: number;
  /** Since when it asked for this many. */
  orderedAt: Date;
  /** When it was last short of this product in an earlier order of the club; null if never. */
  lastShortAt: Date | null;
}

const byOrderTime = (a: Claim, b: Claim) =>
  a.orderedAt.getTime() - b.orderedAt.getTime() || (a.householdId < b.householdId ? -1 : 1);

/**
 * Shares `available` items among the claims by the club's rule; returns what each household gets.
 * Nobody gets more than it ordered; when there is enough, everybody gets what it ordered.
 *
 * - `pro_rata`: each gets its share rounded down, and the items left over go one each to the
 *   largest remainders (ties to the earlier order), so the split is as even as whole items allow.
 * - `rotation`: those who were short of it most recently are served first, in full; then those
 *   never short, by order time.
 * - `order_time`: first ordered, first served, in full.
 */
export function allot(
  rule: AllocationRule,
  available: number,
  claims: readonly Claim[],
): Map<string, number> {
  if (!Number.isInteger(available) || available < 0)
    throw new RangeError('available must be a whole number ≥ 0');
  const total = claims.reduce((sum, claim) => sum + claim.quantity, 0);
  const shares = new Map(claims.map((claim) => [claim.householdId, claim.quantity]));
  if (total <= available) return shares;
  if (rule === 'pro_rata') {
    const big = (n: number) => BigInt(n);
    let left = available;
    const remainders: { claim: Claim; remainder: bigint }[] = [];
    for (const claim of claims) {
      const scaled = big(claim.quantity) * big(available);
      const share = Number(scaled / big(total));
      shares.set(claim.householdId, share);
      left -= share;
      remainders.push({ claim, remainder: scaled % big(total) });
    }
    remainders.sort((a, b) =>
      a.remainder === b.remainder ? byOrderTime(a.claim, b.claim) : a.remainder > b.remainder ? -1 : 1,
    );
    for (const { claim } of remainders) {
      if (left === 0) break;
      shares.set(claim.householdId, (shares.get(claim.householdId) ?? 0) + 1);
      left -= 1;
    }
    return shares;
  }
  const queue = [...claims].sort(
    rule === 'rotation'
      ? (a, b) => (b.lastShortAt?.getTime() ?? -1) - (a.lastShortAt?.getTime() ?? -1) || byOrderTime(a, b)
      : byOrderTime,
  );
  let left = available;
  for (const claim of queue) {
    const share = Math.min(claim.quantity, left);
    shares.set(claim.householdId, share);
    left -= share;
  }
  return shares;
}

/** Why a household got less than it ordered, in the words its notification uses. */
export function allotmentReason(rule: AllocationRule): string {
  switch (rule) {
    case 'pro_rata':
      return 'what there was is shared in proportion to what each household ordered';
    case 'rotation':
      return 'households that were short of it last time are served first, then by order time';
    case 'order_time':
      return 'households are served in the order they ordered';
  }
}
