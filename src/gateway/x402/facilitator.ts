import { parsePaymentPayload } from '@x402/core/schemas';
import type { PaymentRequirements, SettleResponse } from '@x402/core/types';
import { isEIP3009Payload } from '@x402/evm';
import { eq } from 'drizzle-orm';
import { type Address, getAddress, isAddress } from 'viem';
import { z } from 'zod';
import {
  type AuthorizationInput,
  type AuthorizationRefusal,
  authorizationKey,
  type CheckedAuthorization,
  checkAuthorization,
  nonceRefusal,
} from '../../chain/authorizations';
import { events } from '../../chain/schema';
import type { Actor } from '../../core/actor';
import { personOfWallet } from '../../core/auth/siwe';
import { AppError } from '../../core/errors';
import { findDeposit, recordDeposit } from '../deposits/service';
import type { GatewayDeps } from '../deps';
import { deposits } from '../schema';
import { networkOf } from './offers';

/**
 * Tally as its own x402 facilitator for the `exact` scheme on EVM: it verifies a payment as the
 * chain would take it and settles it through its own treasury's sender, as the gateway's deposits
 * are settled, so a payment is credited once, from the chain's `AuthorizationUsed` event, whoever
 * submits the authorization. The refusals are x402's reason codes (the `invalidReason` and
 * `errorReason` of its verify and settle answers).
 */
export type PaymentReason =
  | 'invalid_payload'
  | 'invalid_x402_version'
  | 'unsupported_scheme'
  | 'invalid_network'
  | 'invalid_payment_requirements'
  | 'invalid_exact_evm_payload_recipient_mismatch'
  | 'invalid_exact_evm_payload_authorization_value'
  | 'invalid_exact_evm_payload_authorization_valid_after'
  | 'invalid_exact_evm_payload_authorization_valid_before'
  | 'invalid_exact_evm_payload_signature'
  | 'insufficient_funds'
  | 'invalid_transaction_state'
  | 'settlement_pending';

export interface PaymentRefusal {
  ok: false;
  reason: PaymentReason;
  message: string;
  payer?: Address;
}

export interface VerifiedPayment {
  ok: true;
  payer: Address;
  input: AuthorizationInput;
  checked: CheckedAuthorization;
}

/** The `exact` scheme's EIP-3009 payload (x402's `ExactEIP3009Payload`), as Tally reads it. */
const Eip3009Payload = z.object({
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
  authorization: z.object({
    from: z.string().refine(isAddress),
    to: z.string().refine(isAddress),
    value: z.string().regex(/^\d{1,78}$/),
    validAfter: z.string().regex(/^\d{1,78}$/),
    validBefore: z.string().regex(/^\d{1,78}$/),
    nonce: z.string(),
  }),
});

const refuse = (reason: PaymentReason, message: string, payer?: Address): PaymentRefusal => ({
  ok: false,
  reason,
  message,
  ...(payer ? { payer } : {}),
});

const sameAddress = (a: string, b: string) => isAddress(a) && isAddress(b) && getAddress(a) === getAddress(b);

/** How a refusal of the chain rail's check reads in x402's words. */
const REASON_OF: Record<AuthorizationRefusal['code'], PaymentReason> = {
  validation_failed: 'invalid_payload',
  authorization_not_valid_yet: 'invalid_exact_evm_payload_authorization_valid_after',
  authorization_expiring: 'invalid_exact_evm_payload_authorization_valid_before',
  signature_invalid: 'invalid_exact_evm_payload_signature',
  insufficient_balance: 'insufficient_funds',
  authorization_used: 'invalid_transaction_state',
};

/**
 * Verifies a payment against the requirements Tally offered: the x402 version, the scheme, the
 * network, the asset, the payee and the amount of one offer; then the authorization as the chain
 * would take it (signature, time window, nonce unused on chain and never sent to Tally, the payer's
 * balance, the submission estimated). Nothing is recorded.
 */
export async function verifyPayment(
  deps: GatewayDeps,
  offers: PaymentRequirements[],
  raw: unknown,
): Promise<VerifiedPayment | PaymentRefusal> {
  const chain = deps.chain;
  if (!chain) return refuse('invalid_network', 'this Tally runs without a chain');
  const parsed = parsePaymentPayload(raw);
  if (!parsed.success) return refuse('invalid_payload', 'the payment is not an x402 payment payload');
  if (parsed.data.x402Version !== 2) return refuse('invalid_x402_version', 'Tally speaks x402 version 2');
  const payment = parsed.data;
  const accepted = payment.accepted;
  if (accepted.scheme !== 'exact')
    return refuse('unsupported_scheme', `Tally takes the "exact" scheme, not "${accepted.scheme}"`);
  if (accepted.network !== networkOf(chain))
    return refuse('invalid_network', `Tally is paid on ${networkOf(chain)}, not ${accepted.network}`);
  if (!isEIP3009Payload(payment.payload as never))
    return refuse('invalid_payload', 'Tally takes an EIP-3009 authorization (the exact scheme’s default)');
  const body = Eip3009Payload.safeParse(payment.payload);
  if (!body.success) return refuse('invalid_payload', 'the EIP-3009 authorization is malformed');
  const { authorization, signature } = body.data;
  const payer = getAddress(authorization.from);

  const asset = offers[0]?.asset ?? '';
  if (!sameAddress(accepted.asset, asset))
    return refuse('invalid_payment_requirements', `Tally is paid in USDC at ${asset}`, payer);
  const payTo = offers[0]?.payTo ?? '';
  if (!sameAddress(accepted.payTo, payTo) || !sameAddress(authorization.to, payTo))
    return refuse(
      'invalid_exact_evm_payload_recipient_mismatch',
      `the payment must go to Tally’s treasury ${payTo}`,
      payer,
    );
  const requirements = offers.find((offer) => offer.amount === accepted.amount);
  if (!requirements || authorization.value !== requirements.amount)
    return refuse(
      'invalid_exact_evm_payload_authorization_value',
      `the amount must be one Tally offers: ${offers.map((o) => o.amount).join(' or ')}`,
      payer,
    );

  const malformed = nonceRefusal(authorization.nonce);
  if (malformed) return refuse('invalid_payload', malformed.message, payer);
  const { from, nonce } = authorizationKey(authorization);
  if (await findDeposit(deps.db, from, nonce))
    return refuse('invalid_transaction_state', 'this payment was sent to Tally already', payer);
  const input: AuthorizationInput = {
    kind: 'transfer',
    from: authorization.from,
    value: BigInt(authorization.value),
    validAfter: BigInt(authorization.validAfter),
    validBefore: BigInt(authorization.validBefore),
    nonce: authorization.nonce,
    signature,
  };
  let checked: Awaited<ReturnType<typeof checkAuthorization>>;
  try {
    checked = await checkAuthorization(chain, deps.clock.now(), input);
  } catch (error) {
    // The submission's gas estimate reverts: the chain would not take it now (used meanwhile).
    if (error instanceof AppError) return refuse('invalid_transaction_state', error.message, payer);
    throw error;
  }
  if (!checked.ok) return refuse(REASON_OF[checked.code], checked.message, payer);
  return { ok: true, payer, input, checked };
}

/**
 * How long a paid call waits for its payment to be credited from the chain before it gives up:
 * under the minute MCP clients wait for an answer by default, and long enough for a few
 * confirmations on the chains the gateway is run on (Base, Avalanche).
 */
export const SETTLEMENT_WAIT_MS = 50_000;

export interface SettledPayment {
  ok: true;
  /** The payer's Tally identity: the person their wallet is linked to, made if none was. */
  userId: string;
  response: SettleResponse;
}

/**
 * Settles a verified payment: the payer's person (made on a first payment), the deposit recorded
 * and the treasury's `transferWithAuthorization` queued in one transaction, then a wait until the
 * chain's event credits it. A payment recorded already (the same signature raced) is refused: one
 * payment serves one call. A submission the chain refuses credits nothing.
 */
export async function settlePayment(
  deps: GatewayDeps,
  actor: Actor,
  verified: VerifiedPayment,
): Promise<SettledPayment | PaymentRefusal> {
  const chain = deps.chain!;
  const network = networkOf(chain);
  const payer = verified.payer;
  const userId = await personOfWallet(deps.db, deps.clock, actor, payer);
  let recorded: Awaited<ReturnType<typeof recordDeposit>>;
  try {
    recorded = await recordDeposit(deps, { ...actor, userId }, userId, verified.input, verified.checked);
  } catch (error) {
    // The same authorization recorded with other terms, or for another person.
    if (error instanceof AppError) return refuse('invalid_transaction_state', error.message, payer);
    throw error;
  }
  const { deposit, replayed } = recorded;
  if (replayed) return refuse('invalid_transaction_state', 'this payment was sent to Tally already', payer);

  const deadline = Date.now() + SETTLEMENT_WAIT_MS;
  for (;;) {
    const [row] = await deps.db
      .select({ state: deposits.state, failure: deposits.failure, eventId: deposits.creditEventId })
      .from(deposits)
      .where(eq(deposits.id, deposit.id));
    if (row?.state === 'credits_issued' && row.eventId) {
      const [event] = await deps.db
        .select({ hash: events.transactionHash })
        .from(events)
        .where(eq(events.id, row.eventId));
      return {
        ok: true,
        userId,
        response: {
          success: true,
          payer,
          transaction: event?.hash ?? '',
          network,
          amount: verified.input.value.toString(),
        },
      };
    }
    if (row?.state === 'failed')
      return refuse(
        'invalid_transaction_state',
        `the chain did not take the payment: ${row.failure ?? 'it failed'}`,
        payer,
      );
    if (Date.now() > deadline)
      return refuse(
        'settlement_pending',
        'the payment is on its way on chain and will be credited to the payer’s Tally balance once confirmed; call again then',
        payer,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
