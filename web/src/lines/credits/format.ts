import type {
  CreditsActionPrice,
  CreditsProductType,
  CreditsRefillCycle,
  CreditsUserType,
} from '../../api/types';
import { formatMinor, formatMinorNumber, parseDecimalToMinor } from '../../lib/money';

/**
 * How the credits line reads: credits are whole numbers that arrive as decimal strings and are
 * shown exactly (`1,200 credits`), with bigint arithmetic only.
 */

export function formatCredits(amount: string | bigint): string {
  const text = amount.toString();
  return `${formatMinorNumber(text, 0)} ${text === '1' || text === '-1' ? 'credit' : 'credits'}`;
}

/** Credits a person types: digits only (thousands separators allowed), at most 18 of them. */
export function parseCredits(text: string): string | null {
  const digits = text.trim().replace(/[,\s]/g, '');
  if (!/^\d{1,18}$/.test(digits)) return null;
  return BigInt(digits).toString();
}

export function checkCredits({ allowZero = false, max }: { allowZero?: boolean; max?: string } = {}) {
  return (value: string): string | null => {
    const credits = parseCredits(value);
    if (credits === null) return 'Enter a whole number of credits, such as 100';
    if (!allowZero && credits === '0') return 'Enter more than 0 credits';
    if (max !== undefined && BigInt(credits) > BigInt(max)) {
      return `At most ${formatCredits(max)}: what you have available`;
    }
    return null;
  };
}

/** How many decimals a currency has (USD 2, JPY 0), from the browser's own ISO 4217 table. */
export function currencyScale(currency: string): number {
  try {
    return (
      new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ??
      2
    );
  } catch {
    return 2;
  }
}

export function formatDisplayPrice(price: { amount_minor: string; currency: string }): string {
  return formatMinor(price.amount_minor, currencyScale(price.currency), price.currency);
}

/** A price typed as a decimal (`49.00`) in the currency's minor units (`4900`); null when it is not one. */
export function parsePrice(text: string, currency: string): string | null {
  try {
    return parseDecimalToMinor(text, currencyScale(currency));
  } catch {
    return null;
  }
}

export const refillCycleLabels: Record<CreditsRefillCycle, string> = {
  none: 'Never refilled',
  day: 'Every day',
  week: 'Every week',
  month: 'Every month',
  year: 'Every year',
};

export const productTypeLabels: Record<CreditsProductType, string> = {
  generic: 'Generic',
  whitelabel: 'Whitelabel',
  under_whitelabel: 'Under whitelabel',
};

export const userTypeLabels: Record<CreditsUserType, string> = {
  generic: 'Generic',
  whitelabel: 'Whitelabel reseller',
  under_whitelabel: 'Under whitelabel',
  admin: 'Administrator',
};

export const userTypeColors: Record<CreditsUserType, string> = {
  generic: 'gray',
  whitelabel: 'grape',
  under_whitelabel: 'violet',
  admin: 'red',
};

/** An action's label when it is priced, else its key. */
export function actionLabel(prices: CreditsActionPrice[] | undefined, action: string | null): string {
  if (action === null) return 'Other';
  return prices?.find((price) => price.action === action)?.label ?? action;
}

/** The last characters of a UUIDv7 (its start is its timestamp, alike for ids made together). */
export const shortId = (id: string) => `…${id.slice(-8)}`;

/** An action's price in credits, or null when it is not priced (or the prices are not loaded). */
export function priceOf(prices: CreditsActionPrice[] | null | undefined, action: string): string | null {
  return prices?.find((price) => price.action === action)?.price ?? null;
}

/** Whether a person may take an action: their products grant it, or they are an administrator. */
export function mayTake(permissions: string[] | undefined, isAdmin: boolean, action: string): boolean {
  return isAdmin || (permissions ?? []).includes(action);
}
