import type {
  CreditsActionPrice,
  CreditsProductType,
  CreditsRefillCycle,
  CreditsUserType,
} from '../../api/types';
import { type AmountRules, parseAmount } from '../../lib/amounts';
import { formatMinor, formatMinorNumber } from '../../lib/money';

/**
 * How the credits line reads: credits are whole numbers that arrive as decimal strings and are
 * shown exactly (`1,200 credits`), with bigint arithmetic only.
 */

export function formatCredits(amount: string | bigint): string {
  const text = amount.toString();
  return `${formatMinorNumber(text, 0)} ${text === '1' || text === '-1' ? 'credit' : 'credits'}`;
}

/** What credit fields take: whole credits, thousands grouped as people write them (`1,200`, `1.200`). */
export const CREDITS_RULES: AmountRules = { scale: 0, asset: 'credits', allowZero: true };

/** Credits a person types, as a decimal string; null when they are not a whole number of credits. */
export function parseCredits(text: string): string | null {
  const parsed = parseAmount(text, CREDITS_RULES);
  return parsed.ok ? parsed.minor.toString() : null;
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

/** What a credit field says under it of an amount it can save: `Saved as 1,200 credits.` */
export const savedCredits = (credits: bigint) => `Saved as ${formatCredits(credits)}.`;

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

/** A display price's currency: an ISO 4217 code, as the server checks it. */
export function checkCurrency(code: string): string | null {
  if (!/^[A-Z]{3}$/.test(code)) return 'A three-letter code, such as USD or EUR';
  return Intl.supportedValuesOf('currency').includes(code)
    ? null
    : `${code} is not an ISO 4217 currency: use a code such as USD or EUR`;
}

export function formatDisplayPrice(price: { amount_minor: string; currency: string }): string {
  return formatMinor(price.amount_minor, currencyScale(price.currency), price.currency);
}

/** The most a display price may be: 1,000,000 of the currency (100,000,000 cents); the server keeps the same bound. */
const MOST_DISPLAY_PRICE_MAJOR = 1_000_000n;

/** How a display price in `currency` is read: its decimals, and at most 1,000,000.00 of it. */
export function displayPriceRules(currency: string): AmountRules {
  const scale = currencyScale(currency);
  return {
    scale,
    asset: currency,
    allowZero: true,
    most: {
      minor: MOST_DISPLAY_PRICE_MAJOR * 10n ** BigInt(scale),
      why: 'the highest display price Tally takes',
    },
  };
}

/** A price typed as a decimal (`49.00`, `49,00`) in the currency's minor units (`4900`); null when refused. */
export function parsePrice(text: string, currency: string): string | null {
  const parsed = parseAmount(text, displayPriceRules(currency));
  return parsed.ok ? parsed.minor.toString() : null;
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

/** USDC has 6 decimals; the checkout asks for exactly the USD price, one USDC per dollar. */
const USDC_SCALE = 6;

/**
 * USDC micro-units as a payer reads what their wallet signs: `49000000` → `49 USDC`, `49500000` →
 * `49.5 USDC`. Every decimal the amount has is kept, none is added.
 */
export function formatUsdcPayment(micro: string | bigint): string {
  const value = BigInt(micro);
  const base = 10n ** BigInt(USDC_SCALE);
  const whole = formatMinorNumber((value / base).toString(), 0);
  const fraction = (value % base).toString().padStart(USDC_SCALE, '0').replace(/0+$/, '');
  return `${whole}${fraction ? `.${fraction}` : ''} USDC`;
}

/** Whether Tally's own checkout can sell a product at this price: it takes USDC for prices in US dollars. */
export const checkoutSells = (price: { amount_minor: string; currency: string }) =>
  price.currency === 'USD' && price.amount_minor !== '0';

/** A product's payment link, anyone may open: `/buy/<id>` on this Tally. */
export const paymentLinkPath = (productId: string) => `/buy/${productId}`;
export const paymentLinkUrl = (productId: string) => `${window.location.origin}${paymentLinkPath(productId)}`;
