import type {
  CoopAllocationRule,
  CoopBadPaymentReason,
  CoopOrderStatus,
  CoopPaymentState,
  CoopProductUnit,
} from '../../api/types';
import { formatMinorNumber } from '../../lib/money';

/**
 * How the coop line reads. Amounts arrive as integer cents in decimal strings and rates as basis
 * points; both are shown exactly (a decimal string built with bigint arithmetic, formatted by Intl as
 * text, never through a float). A club's money is euros.
 */

const euros = new Intl.NumberFormat('en-IE', { style: 'currency', currency: 'EUR' });

/** The decimal text of a count of hundredths: `336` → `3.36`, `-5` → `-0.05`. */
function hundredths(minor: string | bigint): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  return `${negative ? '-' : ''}${magnitude / 100n}.${(magnitude % 100n).toString().padStart(2, '0')}`;
}

/** Cents as euros: `336` → `€3.36`, `123456` → `€1,234.56`. */
export function formatEuros(cents: string | bigint): string {
  // Intl reads a decimal string exactly (ECMA-402 "Intl.NumberFormat v3"): no float is made.
  return euros.format(hundredths(cents) as unknown as number);
}

/** Basis points as a percentage: `700` → `7 %`, `250` → `2.5 %`. */
export function formatPercent(basisPoints: number | null, none = 'none'): string {
  if (basisPoints === null) return none;
  return `${formatMinorNumber(String(basisPoints), 2).replace(/\.?0+$/, '')} %`;
}

/** Basis points as a form shows them to be changed: `700` → `7`, `250` → `2.5`. */
export const editablePercent = (basisPoints: number) =>
  formatMinorNumber(String(basisPoints), 2)
    .replace(/,/g, '')
    .replace(/\.?0+$/, '');

/** Cents as a form shows them to be changed: `299` → `2.99`. */
export const editableEuros = (cents: string) => hundredths(cents);

export const unitLabels: Record<CoopProductUnit, string> = {
  piece: 'piece',
  kg: 'kg',
  g: 'g',
  l: 'litre',
  ml: 'ml',
  lb: 'lb',
  oz: 'oz',
};

/** What a unit's price is for: `per kg`, `per piece`. */
export const perUnit = (unit: CoopProductUnit) => `per ${unitLabels[unit]}`;

/** A decimal amount without trailing zeros: `0.500` → `0.5`, `1.000` → `1`. */
export const trimDecimal = (text: string) => (text.includes('.') ? text.replace(/\.?0+$/, '') : text);

/** How a product is packed: `0.5 kg`, `6 × 1 piece`. */
export function packaging(product: {
  amount_per_package: string;
  unit: CoopProductUnit;
  packages: number;
}): string {
  const amount = `${trimDecimal(product.amount_per_package)} ${product.unit === 'piece' ? (trimDecimal(product.amount_per_package) === '1' ? 'piece' : 'pieces') : unitLabels[product.unit]}`;
  return product.packages > 1 ? `${product.packages} × ${amount}` : amount;
}

/**
 * A decimal a person typed (`2,99` or `2.99`) as the API takes it (`2.99`), or null when it is not a
 * number with at most `decimals` decimals. Thousands separators are refused: prices and rates here
 * are small, and `1,250` could be read two ways.
 */
export function decimalInput(text: string, decimals: number): string | null {
  const typed = text.trim().replace(',', '.');
  const match = /^(\d{1,9})(?:\.(\d+))?$/.exec(typed);
  if (!match) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return null;
  return fraction ? `${match[1]}.${fraction}` : (match[1] ?? null);
}

/** A field's check for such a decimal: the reason it is refused, or null. */
export function checkDecimal(what: string, decimals: number, { required = true, example = '2.5' } = {}) {
  return (value: string): string | null => {
    if (!value.trim()) return required ? `Enter ${what}` : null;
    return decimalInput(value, decimals) === null
      ? `Enter a number with at most ${decimals} ${decimals === 1 ? 'decimal' : 'decimals'}, such as ${example}`
      : null;
  };
}

/** Cents from a price typed in euros (`2,99` → `299n`), or null. */
export function centsOf(text: string): bigint | null {
  const decimal = decimalInput(text, 2);
  if (decimal === null) return null;
  const [whole = '0', fraction = ''] = decimal.split('.');
  return BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
}

export const editorPolicyLabels = {
  liaison: 'Only the liaison',
  all_members: 'Every member of the club',
  members: 'The members chosen below',
} as const;

export const joinRequestStateLabels = {
  pending: 'Waiting',
  approved: 'Approved',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
} as const;

/** The club's permissions, as the API names them. */
export const COOP = {
  households: 'coop.households.manage',
  producers: 'coop.producers.manage',
  orders: 'coop.orders.manage',
  books: 'coop.books.keep',
  settings: 'coop.club.settings',
  invite: 'members.invite',
  manageMembers: 'members.manage',
} as const;

/** `1 household`, `3 households`. */
export const plural = (count: number, word: string, many = `${word}s`) =>
  `${count.toLocaleString('en')} ${count === 1 ? word : many}`;

/** `a / b` rounded half-up, for non-negative bigints. */
const halfUp = (a: bigint, b: bigint) => (2n * a + b) / (2n * b);

/**
 * What a member will pay for one unit, VAT included, while a price is typed: the club's rule
 * (src/coop/README.md, "Money") in bigint arithmetic: net = price × (1 + margin), then VAT on the net,
 * each rounded half-up to the cent. Saved products show the server's own `member_price_cents`.
 */
export function memberPricePreview(
  priceCents: bigint,
  marginBasisPoints: bigint,
  vatBasisPoints: bigint,
): bigint {
  const net = halfUp(priceCents * (10_000n + marginBasisPoints), 10_000n);
  return net + halfUp(net * vatBasisPoints, 10_000n);
}

/** Basis points from a percentage typed (`7` → `700n`, `2,5` → `250n`), or null. */
export function basisPointsOf(text: string): bigint | null {
  return centsOf(text);
}

/** Signed cents as a change to a balance: `-576` → `−€5.76`, `500` → `+€5.00`, `0` → `€0.00`. */
export function formatSignedEuros(cents: string | bigint): string {
  const value = BigInt(cents);
  if (value === 0n) return formatEuros(0n);
  return `${value < 0n ? '−' : '+'}${formatEuros(value < 0n ? -value : value)}`;
}

/** A household's balance with the club in words: `-576` → `owes the club €5.76`. */
export function balanceWords(cents: string | bigint): string {
  const value = BigInt(cents);
  if (value < 0n) return `owes the club ${formatEuros(-value)}`;
  if (value > 0n) return `in credit: the club owes it ${formatEuros(value)}`;
  return 'settled: nothing owed either way';
}

/** An amount of a unit as the API writes it (`2.130`, `kg`) as people read it: `2.13 kg`, `3 pieces`. */
export function quantityOf(amount: string, unit: CoopProductUnit): string {
  const text = trimDecimal(amount);
  if (unit === 'piece') return `${text} ${text === '1' ? 'piece' : 'pieces'}`;
  return `${text} ${unitLabels[unit]}`;
}

/** The seed's names of an order's states. */
export const orderStatusLabels: Record<CoopOrderStatus, string> = {
  preparing: 'Preparing',
  open: 'Open',
  closed: 'Closed',
  processed: 'Processed',
  finished: 'Finished',
};

export const paymentStateLabels: Record<CoopPaymentState, string> = {
  due: 'To pay',
  paid: 'Paid',
  bad: 'Bad payment',
};

export const badPaymentReasonLabels: Record<CoopBadPaymentReason, string> = {
  payment_missing: 'No payment arrived',
  bad_amount: 'The wrong amount arrived',
  other: 'Something else',
};

/** How a product that ran short is shared, one sentence each (the club's order rules). */
export const allocationRuleLabels: Record<CoopAllocationRule, { label: string; explanation: string }> = {
  pro_rata: {
    label: 'Pro rata',
    explanation:
      'Each household gets a share in proportion to what it ordered, so everyone who ordered gets some.',
  },
  rotation: {
    label: 'Rotation',
    explanation:
      'Households that were short of the product last time are served first, so going without takes turns.',
  },
  order_time: {
    label: 'Order time',
    explanation: 'First ordered, first served: households that ordered earlier get theirs first.',
  },
};

/** Without spaces, upper case: an IBAN or a reference as typed (`de89 3704…`) as banks compare it. */
export const compactCode = (text: string) => text.replace(/\s+/g, '').toUpperCase();

/** In groups of four, as banks print IBANs and creditor references: `RF18 5390 0754 7034`. */
export const inGroupsOfFour = (text: string) => compactCode(text).replace(/(.{4})(?=.)/g, '$1 ');

/**
 * What is wrong with the shape of an IBAN as it is typed (spaces and lower case allowed), or null.
 * Only the shape: the server checks the country's length and the check digits, and says which.
 */
export function ibanShapeProblem(text: string): string | null {
  const iban = compactCode(text);
  if (!iban) return null;
  if (!/^[A-Z]{2}/.test(iban)) return 'An IBAN starts with its country’s two letters, such as DE or FR';
  if (!/^[A-Z]{2}\d{2}/.test(iban)) return 'After the country, an IBAN has two check digits, such as DE89';
  if (!/^[A-Z0-9]+$/.test(iban)) return 'An IBAN holds only letters and digits';
  if (iban.length < 15) return `An IBAN has at least 15 characters; this one has ${iban.length}`;
  if (iban.length > 34) return `An IBAN has at most 34 characters; this one has ${iban.length}`;
  return null;
}
