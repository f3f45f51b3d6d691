import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { PaymentRequired, SettleResponse } from '@x402/core/types';
import { anonymousActor } from '../../core/actor';
import type { GatewayDeps } from '../deps';
import { formatUsdc } from '../ledger';
import type { Caller } from '../proxy/auth';
import { settlePayment, verifyPayment } from './facilitator';
import { paymentRequiredOf, requirementsOf, TOP_UP_CALLS, type ToolOffer } from './offers';

/** Who pays for a call, once any x402 payment it carried was settled; or what to pay first. */
export type Payer =
  | { kind: 'payer'; caller: Caller; settlement: SettleResponse | null }
  | { kind: 'payment_required'; paymentRequired: PaymentRequired };

/**
 * Who pays for a priced call. A call that carries an x402 payment is paid by the payment's wallet
 * (its Tally person): the payment is verified, settled into that person's balance, and the call is
 * then charged from it like any other. A call without one is paid by the caller Tally knows (a
 * grant, a session key, a wallet's signature, or the payer of an earlier x402 payment in the same
 * MCP session); a stranger is asked to pay.
 */
export async function payerOfCall(
  deps: GatewayDeps,
  offer: ToolOffer,
  payment: unknown,
  caller: Caller | null,
): Promise<Payer> {
  const chain = deps.chain;
  if (payment === undefined || !chain) {
    if (caller) return { kind: 'payer', caller, settlement: null };
    if (!chain)
      return {
        kind: 'payment_required',
        paymentRequired: {
          x402Version: 2,
          error: 'this Tally runs without a chain: sign requests with a Tally grant instead',
          resource: { url: offer.url },
          accepts: [],
        },
      };
    return {
      kind: 'payment_required',
      paymentRequired: await paymentRequiredOf(
        chain,
        offer,
        `payment_required: ${offer.tool} costs ${formatUsdc(offer.price)} a call; pay it, or top up ${TOP_UP_CALLS} calls`,
      ),
    };
  }
  const verified = await verifyPayment(deps, await requirementsOf(chain, offer), payment);
  const settled = verified.ok ? await settlePayment(deps, anonymousActor(), verified) : verified;
  if (!settled.ok) {
    deps.log.info({ reason: settled.reason, payer: settled.payer }, 'gateway: an x402 payment was refused');
    return {
      kind: 'payment_required',
      paymentRequired: await paymentRequiredOf(chain, offer, `${settled.reason}: ${settled.message}`),
    };
  }
  return {
    kind: 'payer',
    caller: { userId: settled.userId, grantId: null, how: 'x402' },
    settlement: settled.response,
  };
}

/**
 * An MCP session as x402 sees it. One opened with no Tally credentials (`userId` null) is the
 * payer's from its first payment: its later calls carry no payment and are charged to the payer,
 * up to what the payer paid in this session (`allowance`), so a session id that leaks spends no
 * more than its own top-ups, never the rest of the payer's balance.
 */
export interface StrangerSession {
  /** Who opened the session; null for a session opened with no Tally credentials. */
  userId: string | null;
  /** The payer of the first x402 payment in a stranger's session. */
  payer: Caller | null;
  /** What the payer paid in this session and its calls have not spent, micro-USDC. */
  allowance: bigint;
}

/**
 * Whether a call draws on its session's allowance: a call of a stranger's session paid by the
 * session's payer. A payment made in it binds the session to its payer (the first one) and adds
 * what it paid to the allowance.
 */
export function drawsOnSession(
  session: StrangerSession,
  caller: Caller,
  settlement: SettleResponse | null,
): boolean {
  if (session.userId !== null || caller.how !== 'x402') return false;
  if (settlement && !session.payer) session.payer = caller;
  if (session.payer?.userId !== caller.userId) return false;
  if (settlement) session.allowance += BigInt(settlement.amount ?? '0');
  return true;
}

/** The results `paymentRequiredResult` made: the HTTP side answers them with a 402. */
const paymentRequiredResults = new WeakSet<CallToolResult>();

/**
 * x402's answer over MCP: a tool error whose structured content is the `PaymentRequired` object,
 * and whose first text is the same object as JSON (for clients that read no structured content).
 */
export function paymentRequiredResult(
  paymentRequired: PaymentRequired,
  meta: Record<string, unknown> = {},
): CallToolResult {
  const result: CallToolResult = {
    content: [{ type: 'text', text: JSON.stringify(paymentRequired) }],
    structuredContent: paymentRequired as unknown as Record<string, unknown>,
    isError: true,
    ...(Object.keys(meta).length > 0 ? { _meta: meta } : {}),
  };
  paymentRequiredResults.add(result);
  return result;
}

export const isPaymentRequired = (result: CallToolResult): boolean => paymentRequiredResults.has(result);
