import type { StatementLine } from '../../core/banking/camt053';

/** A household's bill that is not paid yet, as matching sees it. */
export interface OpenBill {
  orderId: string;
  householdId: string;
  householdName: string;
  /** Its members' names: a payer usually pays from their own account. */
  memberNames: string[];
  reference: string;
  /** What is still owed, in cents. */
  owedCents: bigint;
}

export type Match =
  /** By its reference, for exactly what is owed: the bill is paid. */
  | { kind: 'paid'; bill: OpenBill; confidence: 100 }
  /** By its reference, for another amount: a bad payment for the bookkeeper to confirm. */
  | { kind: 'bad_amount'; bill: OpenBill; confidence: 100; expectedCents: bigint; paidCents: bigint }
  /** No reference: the likeliest bill by amount and payer's name, for the bookkeeper to assign. */
  | { kind: 'suggested'; bill: OpenBill; confidence: number }
  | { kind: 'none' };

const words = (name: string) =>
  name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((word) => word.length > 1 && !['the', 'and', 'und', 'family', 'familie'].includes(word));

/** How much two names share, 0 to 1: the part of the shorter one's words found in the other. */
export function nameLikeness(a: string, b: string): number {
  const left = new Set(words(a));
  const right = new Set(words(b));
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const word of left) if (right.has(word)) shared += 1;
  return shared / Math.min(left.size, right.size);
}

/**
 * What a credit line of a statement pays. A creditor reference of an open bill decides (its check
 * digits make a wrong bill all but impossible); without one, a bill owing exactly the amount is
 * suggested, surer when the payer's name is the household's or a member's, and never settled
 * without the bookkeeper.
 */
export function matchLine(
  line: Pick<StatementLine, 'references' | 'amountMinor' | 'counterpartyName' | 'remittance'>,
  bills: readonly OpenBill[],
): Match {
  for (const reference of line.references) {
    const bill = bills.find((b) => b.reference === reference);
    if (!bill) continue;
    if (bill.owedCents === line.amountMinor) return { kind: 'paid', bill, confidence: 100 };
    return {
      kind: 'bad_amount',
      bill,
      confidence: 100,
      expectedCents: bill.owedCents,
      paidCents: line.amountMinor,
    };
  }
  let best: { bill: OpenBill; confidence: number } | null = null;
  for (const bill of bills) {
    const sameAmount = bill.owedCents === line.amountMinor;
    const likeness = Math.max(
      ...[bill.householdName, ...bill.memberNames].map((name) =>
        Math.max(nameLikeness(line.counterpartyName, name), nameLikeness(line.remittance, name)),
      ),
    );
    // The amount alone is a guess (many bills cost the same); the name makes it likely; both, nearly sure.
    const confidence = Math.round((sameAmount ? 50 : 0) + likeness * (sameAmount ? 45 : 30));
    if (confidence >= 30 && (!best || confidence > best.confidence)) best = { bill, confidence };
  }
  return best ? { kind: 'suggested', ...best } : { kind: 'none' };
}
