import type { Network, PaymentRequired, PaymentRequirements, ResourceInfo } from '@x402/core/types';
import { getAddress } from 'viem';
import { authorizationTerms, MIN_VALIDITY_SECONDS } from '../../chain/authorizations';
import type { ChainRuntime } from '../../chain/runtime';
import { formatUsdc } from '../ledger';

/**
 * What Tally offers an x402 client for one priced tool: the call's price in the `exact` scheme, and
 * a top-up of `TOP_UP_CALLS` calls' worth, both EIP-3009 transfers of USDC to the treasury on the
 * chain this Tally serves. Either payment is a deposit to the payer's Tally balance; the call is
 * then charged from that balance like any other, so a top-up leaves credits the next calls spend
 * without a chain transaction.
 */

/** The x402 protocol version Tally speaks (the `PAYMENT-*` headers and `accepts` list of v2). */
export const X402_VERSION = 2;
/** How many calls' worth a top-up buys. */
export const TOP_UP_CALLS = 100n;
/**
 * How long a client's authorization stays valid, as x402's `exact` client signs it (`validBefore =
 * now + maxTimeoutSeconds`): Tally takes an authorization with `MIN_VALIDITY_SECONDS` left at
 * least, so the chain can take it, and leaves room for the client's clock to run behind.
 */
export const MAX_TIMEOUT_SECONDS = Number(MIN_VALIDITY_SECONDS) * 2;

/** The `_meta` keys of x402's MCP transport. */
export const X402_META = { payment: 'x402/payment', paymentResponse: 'x402/payment-response' } as const;

export type OfferKind = 'call' | 'top_up';

/** A priced tool, as a paid resource. */
export interface ToolOffer {
  slug: string;
  serverName: string;
  tool: string;
  description?: string;
  price: bigint;
  /** Where the tool is called: its MCP server, or its HTTP resource. */
  url: string;
}

/** CAIP-2 name of the chain, as x402 names networks. */
export const networkOf = (chain: ChainRuntime): Network => `eip155:${chain.client.chainId}`;

/** The requirements Tally accepts for a tool: the call, and the top-up (when the tool costs something). */
export async function requirementsOf(chain: ChainRuntime, offer: ToolOffer): Promise<PaymentRequirements[]> {
  const terms = await authorizationTerms(chain);
  const base = {
    scheme: 'exact',
    network: networkOf(chain),
    asset: getAddress(terms.token.address),
    payTo: getAddress(terms.to),
    maxTimeoutSeconds: MAX_TIMEOUT_SECONDS,
  };
  // `name` and `version` are the token's EIP-712 domain, which x402's `exact` client signs with.
  const domain = { name: terms.token.name, version: terms.token.version };
  const topUp = offer.price * TOP_UP_CALLS;
  return [
    {
      ...base,
      amount: offer.price.toString(),
      extra: { ...domain, tally: { kind: 'call' satisfies OfferKind, calls: 1 } },
    },
    {
      ...base,
      amount: topUp.toString(),
      extra: {
        ...domain,
        tally: {
          kind: 'top_up' satisfies OfferKind,
          calls: Number(TOP_UP_CALLS),
          description: `${formatUsdc(topUp)} to the payer's Tally balance: this call and the next ${TOP_UP_CALLS - 1n} at this price, with no payment each`,
        },
      },
    },
  ];
}

export const resourceOf = (offer: ToolOffer): ResourceInfo => ({
  url: offer.url,
  description:
    offer.description ?? `${offer.serverName}: the tool ${offer.tool}, ${formatUsdc(offer.price)} a call`,
  mimeType: 'application/json',
  serviceName: offer.serverName,
});

/** The `PaymentRequired` object of x402 v2 for a tool: what to pay, and why the last attempt failed. */
export async function paymentRequiredOf(
  chain: ChainRuntime,
  offer: ToolOffer,
  error?: string,
): Promise<PaymentRequired> {
  return {
    x402Version: X402_VERSION,
    ...(error ? { error } : {}),
    resource: resourceOf(offer),
    accepts: await requirementsOf(chain, offer),
  };
}

/** Which kind of payment requirements are: Tally's own mark in `extra`. */
export const kindOf = (requirements: PaymentRequirements): OfferKind =>
  (requirements.extra?.tally as { kind?: OfferKind } | undefined)?.kind === 'top_up' ? 'top_up' : 'call';
