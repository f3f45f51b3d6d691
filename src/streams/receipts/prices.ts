import { z } from 'zod';

/**
 * What a token was worth in US dollars on a day of streaming, for receipts. A price is exact: a
 * whole number of 10⁻⁸ USD per token (`PRICE_SCALE`), so a receipt's dollars are sums of bigints
 * and are rounded once, to the cent, at the end.
 */

export const PRICE_SCALE = 8;
const PRICE_UNIT = 10n ** BigInt(PRICE_SCALE);

export interface UsdPrice {
  /** USD per whole token, in 10⁻⁸ USD. */
  units: bigint;
  /** How it was found: a stablecoin at par, or a rate the installation configured. */
  basis: 'par' | 'fixed_rate';
}

export interface UsdPriceSource {
  /** The price of one token on a UTC day (`YYYY-MM-DD`); null when the source knows none. */
  priceOn(token: string, day: string): UsdPrice | null;
}

/** Super tokens that wrap a dollar stablecoin: 1 token is 1 USD, whatever the day. */
export const STABLE_TOKENS: readonly string[] = ['USDCx', 'DAIx'];

export const parPrices: UsdPriceSource = {
  priceOn: (token) => (STABLE_TOKENS.includes(token) ? { units: PRICE_UNIT, basis: 'par' } : null),
};

const Decimal = z
  .string()
  .regex(/^\d{1,12}(\.\d{1,8})?$/, 'a price in USD as a decimal string, at most 8 decimals')
  .refine((text) => /[1-9]/.test(text), 'a price above zero');

/** A decimal string ("3120.55") as 10⁻⁸ USD. */
export function priceUnits(text: string): bigint {
  const [whole, fraction = ''] = Decimal.parse(text).split('.');
  return BigInt(whole!) * PRICE_UNIT + BigInt(fraction.padEnd(PRICE_SCALE, '0'));
}

/** One rate per token for every day: what an installation sets when it has no market feed. */
export function fixedRatePrices(rates: Readonly<Record<string, string>>): UsdPriceSource {
  const units = new Map(Object.entries(rates).map(([token, rate]) => [token, priceUnits(rate)]));
  return {
    priceOn: (token) => {
      const found = units.get(token);
      return found === undefined ? null : { units: found, basis: 'fixed_rate' };
    },
  };
}

/** The first source that knows a price gives it. */
export function firstPriceOf(...sources: UsdPriceSource[]): UsdPriceSource {
  return {
    priceOn: (token, day) => {
      for (const source of sources) {
        const price = source.priceOn(token, day);
        if (price) return price;
      }
      return null;
    },
  };
}

const PricesEnv = z.object({
  STREAMS_USD_PRICES: z
    .string()
    .optional()
    .transform((text, context) => {
      if (!text?.trim()) return {};
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'a JSON object, such as {"ETHx":"3120.55"}' });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .record(z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'a token symbol'), Decimal)
        .superRefine((rates, context) => {
          for (const token of Object.keys(rates))
            if (STABLE_TOKENS.includes(token))
              context.addIssue({ code: 'custom', path: [token], message: 'a stablecoin is valued at par' });
        }),
    ),
});

/**
 * Receipts' prices for this installation: stablecoins at par, any other token at the rate
 * `STREAMS_USD_PRICES` gives (`{"ETHx":"3120.55"}`). A malformed setting stops the start.
 */
export function usdPricesFromEnv(env: Record<string, string | undefined>): UsdPriceSource {
  const parsed = PricesEnv.safeParse(env);
  if (!parsed.success)
    throw new Error(
      `STREAMS_USD_PRICES: ${parsed.error.issues.map((issue) => `${issue.path.slice(1).join('.') || 'value'}: ${issue.message}`).join('; ')}`,
    );
  return firstPriceOf(parPrices, fixedRatePrices(parsed.data.STREAMS_USD_PRICES));
}
