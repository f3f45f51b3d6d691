import {
  type Address,
  encodeAbiParameters,
  encodeFunctionData,
  erc20Abi,
  type Hex,
  type TransactionReceipt,
} from 'viem';
import { cfaV1Abi, hostCallAbi, superTokenAbi } from '../../chain/superfluid/abi';
import { AppError } from '../../core/errors';
import {
  bufferFor,
  type FlowTerms,
  readFlowTerms,
  readStreamPosition,
  runOutOf,
  type StreamPosition,
} from './buffer';
import { type ChainCall, type StreamPublicClient, type StreamWalletClient, sendCall } from './call';
import type { StreamContracts } from './contracts';
import { streamChainErrors } from './errors';
import { flowReference } from './flow-reference';
import { FULL_CONTROL, readOperatorPermissions } from './operator';
import { type PermitRequest, permitCall, permitRequest, readPermitDomain } from './permit';

/**
 * A checkout's on-chain steps, from the subscriber's wallet: approve the underlying token to the
 * super token, wrap (upgrade) what the flow needs, create the flow to the producer's receiver with
 * the checkout's id in its userData, and let Tally's operator change or close the flow later.
 *
 * One transaction each would be four wallet prompts. The host's `batchCall` (Superfluid.sol
 * `_batchCall`, 1.15.2) runs super-token operations and agreement calls as the caller in one
 * transaction, so wrap, flow and operator fold into one. The approve cannot join them: batch
 * operation 1 (ERC20_APPROVE) is the super token's `operationApprove`, and the underlying token
 * only takes an approve from its holder. What can join is an EIP-2612 permit: any sender may
 * submit it, so it rides in the batch through operation 301 (SIMPLE_FORWARD_CALL, the host's
 * SimpleForwarder calling the token). Hence the least a wallet is asked:
 *   - a token with EIP-2612 permit (our test DAI and USDC, mainnet USDC): one signature and one
 *     transaction;
 *   - a token without (mainnet DAI's permit is not EIP-2612's): two transactions.
 */

/** Superfluid's batch operation types (interfaces/superfluid/Definitions.sol, `BatchOperation`). */
export const BATCH_OPERATION = {
  ERC20_APPROVE: 1,
  ERC20_TRANSFER_FROM: 2,
  ERC777_SEND: 3,
  SUPERTOKEN_UPGRADE: 101,
  SUPERFLUID_CALL_AGREEMENT: 201,
  SIMPLE_FORWARD_CALL: 301,
} as const;

export interface BatchOperation {
  operationType: number;
  target: Address;
  data: Hex;
}

export interface CheckoutTerms {
  subscriber: Address;
  /** The producer's payout wallet. */
  receiver: Address;
  /** Wei of the super token per second. */
  flowRate: bigint;
  /** Tally's treasury: changes and closes the flow later on the line's behalf. */
  operator: Address;
  /** Written into the flow's userData, for the follower to match the flow to its checkout. */
  checkoutId: string;
  /** Seconds of the flow paid ahead on top of the buffer (a plan's period): until then the flow cannot turn critical. */
  prepaidSeconds: bigint;
  /**
   * Who starts the flow: the checkout itself, or Tally's operator later (a vesting plan at its
   * cliff, with `prepareFlowCreate`): then the checkout only wraps and grants the permission.
   */
  flowStart?: 'checkout' | 'operator';
  /**
   * A vesting plan's start amount, paid to the receiver at the cliff by Tally's operator: wrapped at
   * checkout and allowed to the operator on the super token (`approve_start`).
   */
  startAmount?: bigint;
  /**
   * What the operator must be allowed to take in all, at the cliffs of every vesting checkout of
   * the wallet in this token still waiting for one (this one's start amount included): an approve
   * sets the allowance rather than adding to it, and each cliff spends its own start amount, so one
   * plan's approve must not leave another's uncovered. This checkout's start amount unless told.
   */
  startAllowance?: bigint;
  /**
   * What the wallet's balance keeps for the cliffs of its other vesting checkouts in this token
   * (their start amounts, wrapped by their own checkouts): not counted as held, or this checkout
   * would wrap nothing on the strength of money the operator is to take.
   */
  keptForCliffs?: bigint;
  /** How long after the latest block a permit stays valid; an hour unless told. */
  permitValidSeconds?: bigint;
  /**
   * A usage plan: this amount is paid once to the receiver (ERC-777 `send`, its userData naming the
   * checkout) instead of a flow; no flow and no operator permission. `flowRate` is then 0.
   */
  payment?: bigint;
  /**
   * The permit the wallet has signed already (planned by an earlier call): the steps are planned
   * again around exactly it, so the signature still fits. Refused as `permit_stale` when it no
   * longer covers what the checkout needs.
   */
  signedPermit?: { value: bigint; deadline: bigint };
}

export type CheckoutStepKind =
  | 'approve'
  | 'wrap'
  | 'create_flow'
  | 'update_flow'
  | 'delete_flow'
  | 'authorize_operator'
  | 'approve_start'
  | 'pay';

/** One step, as its own transaction (`call`), and as an operation of the host's batch where it can be one. */
export type CheckoutStep =
  | { kind: 'approve'; call: ChainCall; underlyingAmount: bigint }
  | { kind: 'wrap'; call: ChainCall; operation: BatchOperation; amount: bigint; underlyingAmount: bigint }
  | { kind: 'create_flow'; call: ChainCall; operation: BatchOperation; buffer: bigint }
  /**
   * A flow already runs to the receiver (another plan of the same producer): its rate changes by
   * the checkout's (up for a new plan, down for a cancelled one, either way for a plan change).
   */
  | { kind: 'update_flow'; call: ChainCall; operation: BatchOperation; buffer: bigint }
  /** The flow's last plan is cancelled: the flow ends and its whole deposit comes back. */
  | { kind: 'delete_flow'; call: ChainCall; operation: BatchOperation; buffer: bigint }
  | { kind: 'authorize_operator'; call: ChainCall; operation: BatchOperation }
  /** A vesting plan: the super token lets Tally's operator take the start amount at the cliff. */
  | { kind: 'approve_start'; call: ChainCall; operation: BatchOperation; amount: bigint }
  /** A usage plan's uses, paid once to the receiver with the super token's ERC-777 `send`. */
  | { kind: 'pay'; call: ChainCall; operation: BatchOperation; amount: bigint };

export interface CheckoutPlan {
  contracts: StreamContracts;
  terms: CheckoutTerms;
  flowTerms: FlowTerms;
  /** The deposit the checkout adds to the flow's, returned when it is closed while solvent. */
  buffer: bigint;
  /** What the subscriber already streams to the receiver in this token (other plans), wei per second. */
  existingFlowRate: bigint;
  /** The subscriber's position before the checkout, as read. */
  position: StreamPosition;
  /** What the checkout wraps, in the super token (0 when the wallet holds enough). */
  wrapAmount: bigint;
  /** What remains to do, in order; steps the subscriber's wallet has done already are left out. */
  steps: CheckoutStep[];
  /** The approve as a signature, when an approve remains and the underlying token takes EIP-2612 permits. */
  permit: PermitRequest | null;
}

/** What the subscriber's wallet is asked, in order. */
export type WalletPrompt =
  | { kind: 'sign_permit'; covers: CheckoutStepKind[]; permit: PermitRequest }
  | { kind: 'send'; covers: CheckoutStepKind[]; call: ChainCall }
  /** The batch that carries the permit: its calldata exists once the permit is signed (fold again with the signature). */
  | { kind: 'send_after_signature'; covers: CheckoutStepKind[] };

const DEFAULT_PERMIT_VALID_SECONDS = 3_600n;
/** What a one-off payment leaves of the wallet's balance for its running streams: a month (30 days) of them. */
const PAYMENT_KEEPS_SECONDS = 2_592_000n;
const STANDARD_DECIMALS = 18;

/**
 * Reads what the subscriber's wallet holds and has allowed, and lists the steps that remain. The
 * CFA keeps one flow per sender, receiver and token: when the subscriber already streams to the
 * receiver (another plan of the same producer), the checkout raises that flow's rate by its own
 * instead of creating one, and the follower reads the increase as this checkout's.
 */
export async function planCheckout(
  publicClient: StreamPublicClient,
  contracts: StreamContracts,
  terms: CheckoutTerms,
): Promise<CheckoutPlan> {
  const { subscriber, receiver, flowRate, operator } = terms;
  const { superToken, underlying } = contracts;
  const flowTerms = await readFlowTerms(publicClient, contracts);
  const [[, existingRate], position, permissions, allowance, underlyingBalance] = await Promise.all([
    publicClient.readContract({
      address: contracts.cfa,
      abi: cfaV1Abi,
      functionName: 'getFlow',
      args: [superToken, subscriber, receiver],
    }),
    readStreamPosition(publicClient, contracts, subscriber),
    readOperatorPermissions(publicClient, contracts, subscriber, operator),
    publicClient.readContract({
      address: underlying,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [subscriber, superToken],
    }),
    publicClient.readContract({
      address: underlying,
      abi: erc20Abi,
      functionName: 'balanceOf',
      args: [subscriber],
    }),
  ]);
  const startAmount = terms.startAmount ?? 0n;
  const startAllowance =
    startAmount > 0n
      ? await publicClient.readContract({
          address: superToken,
          abi: erc20Abi,
          functionName: 'allowance',
          args: [subscriber, operator],
        })
      : 0n;
  if (terms.payment === undefined && existingRate !== 0n && terms.flowStart === 'operator') {
    // Tally's operator creates a vesting plan's flow at the cliff; a flow there already would make
    // that a change of another plan's flow, which the subscriber did not sign for.
    throw streamChainErrors.error('flow_exists', `${subscriber} already streams to ${receiver}`, {
      subscriber,
      receiver,
      flowRate: existingRate.toString(),
    });
  }
  // The deposit grows with the flow's total rate, rounded as the agreement rounds it.
  const buffer =
    terms.payment !== undefined
      ? 0n
      : existingRate === 0n
        ? bufferFor(flowRate, flowTerms)
        : bufferFor(existingRate + flowRate, flowTerms) - bufferFor(existingRate, flowTerms);
  const needed = terms.payment ?? buffer + startAmount + flowRate * terms.prepaidSeconds;
  // A payment must not be taken from what the wallet's running streams live on: a month of them
  // stays where it is, and the payment is wrapped on top. Nor is what waits for other cliffs held.
  const kept =
    (terms.payment !== undefined && position.netFlowRate < 0n
      ? -position.netFlowRate * PAYMENT_KEEPS_SECONDS
      : 0n) + (terms.keptForCliffs ?? 0n);
  const spare = position.availableBalance - kept;
  const held = spare > 0n ? spare : 0n;
  const steps: CheckoutStep[] = [];
  let permit: PermitRequest | null = null;
  if (needed > held) {
    let wrap = wrapAmounts(needed - held, contracts.underlyingDecimals);
    const signed = terms.signedPermit;
    if (signed) {
      if (signed.value < wrap.underlyingAmount)
        throw streamChainErrors.error(
          'permit_stale',
          'the signed permit no longer covers what the checkout wraps',
          {
            signed: signed.value.toString(),
            needed: wrap.underlyingAmount.toString(),
          },
        );
      wrap = wrapAmounts(
        signed.value * 10n ** BigInt(Math.max(0, STANDARD_DECIMALS - contracts.underlyingDecimals)),
        contracts.underlyingDecimals,
      );
    }
    if (underlyingBalance < wrap.underlyingAmount) {
      throw new AppError('insufficient_funds', `${subscriber} holds too little of the token to wrap`, {
        balance: underlyingBalance.toString(),
        needed: wrap.underlyingAmount.toString(),
      });
    }
    if (allowance < wrap.underlyingAmount) {
      steps.push({
        kind: 'approve',
        underlyingAmount: wrap.underlyingAmount,
        call: {
          to: underlying,
          data: encodeFunctionData({
            abi: erc20Abi,
            functionName: 'approve',
            args: [superToken, wrap.underlyingAmount],
          }),
        },
      });
      const domain = await readPermitDomain(publicClient, underlying);
      if (domain) {
        const deadline =
          terms.signedPermit?.deadline ??
          (await publicClient.getBlock()).timestamp +
            (terms.permitValidSeconds ?? DEFAULT_PERMIT_VALID_SECONDS);
        permit = await permitRequest(publicClient, domain, {
          owner: subscriber,
          spender: superToken,
          value: wrap.underlyingAmount,
          deadline,
        });
      }
    }
    steps.push({
      kind: 'wrap',
      ...wrap,
      call: {
        to: superToken,
        data: encodeFunctionData({ abi: superTokenAbi, functionName: 'upgrade', args: [wrap.amount] }),
      },
      operation: {
        operationType: BATCH_OPERATION.SUPERTOKEN_UPGRADE,
        target: superToken,
        data: encodeAbiParameters([{ type: 'uint256' }], [wrap.amount]),
      },
    });
  }
  if (terms.payment !== undefined) {
    const userData = flowReference(terms.checkoutId);
    steps.push({
      kind: 'pay',
      amount: terms.payment,
      call: {
        to: superToken,
        data: encodeFunctionData({
          abi: superTokenAbi,
          functionName: 'send',
          args: [receiver, terms.payment, userData],
        }),
      },
      operation: {
        operationType: BATCH_OPERATION.ERC777_SEND,
        target: superToken,
        data: encodeAbiParameters(
          [{ type: 'address' }, { type: 'uint256' }, { type: 'bytes' }],
          [receiver, terms.payment, userData],
        ),
      },
    });
    const wrapAmount = steps.find((step) => step.kind === 'wrap')?.amount ?? 0n;
    return {
      contracts,
      terms,
      flowTerms,
      buffer,
      existingFlowRate: existingRate,
      position,
      wrapAmount,
      steps,
      permit,
    };
  }
  if (terms.flowStart !== 'operator') {
    const kind = existingRate === 0n ? 'create_flow' : 'update_flow';
    const flowCall = encodeFunctionData({
      abi: cfaV1Abi,
      functionName: kind === 'create_flow' ? 'createFlow' : 'updateFlow',
      args: [superToken, receiver, existingRate + flowRate, '0x'],
    });
    steps.push({ kind, buffer, ...agreementCall(contracts, flowCall, flowReference(terms.checkoutId)) });
  }
  const allowed = startAmount > 0n ? (terms.startAllowance ?? startAmount) : 0n;
  if (startAmount > 0n && startAllowance < allowed) {
    steps.push({
      kind: 'approve_start',
      amount: allowed,
      call: {
        to: superToken,
        data: encodeFunctionData({ abi: erc20Abi, functionName: 'approve', args: [operator, allowed] }),
      },
      // The super token's own approve, as the batch's caller (SuperToken.operationApprove).
      operation: {
        operationType: BATCH_OPERATION.ERC20_APPROVE,
        target: superToken,
        data: encodeAbiParameters([{ type: 'address' }, { type: 'uint256' }], [operator, allowed]),
      },
    });
  }
  if (
    permissions.permissions !== FULL_CONTROL.permissions ||
    permissions.flowRateAllowance !== FULL_CONTROL.flowRateAllowance
  ) {
    const authorize = encodeFunctionData({
      abi: cfaV1Abi,
      functionName: 'authorizeFlowOperatorWithFullControl',
      args: [superToken, operator, '0x'],
    });
    steps.push({ kind: 'authorize_operator', ...agreementCall(contracts, authorize, '0x') });
  }
  const wrapAmount = steps.find((step) => step.kind === 'wrap')?.amount ?? 0n;
  return {
    contracts,
    terms,
    flowTerms,
    buffer,
    existingFlowRate: existingRate,
    position,
    wrapAmount,
    steps,
    permit,
  };
}

/**
 * A plan leaves a running flow, from the subscriber's own wallet: the flow's rate drops by
 * `decrease` (a cancelled plan's share, or what a cheaper plan saves), or the flow is deleted when
 * nothing is left, its userData naming the checkout so the follower knows which plan left. Nothing
 * is wrapped: a lower rate needs a smaller deposit, and the difference comes back at once.
 */
export async function planFlowDecrease(
  publicClient: StreamPublicClient,
  contracts: StreamContracts,
  terms: Pick<CheckoutTerms, 'subscriber' | 'receiver' | 'operator' | 'checkoutId'> & { decrease: bigint },
): Promise<CheckoutPlan> {
  const { subscriber, receiver, decrease } = terms;
  const { superToken } = contracts;
  const [flowTerms, [, existingRate], position] = await Promise.all([
    readFlowTerms(publicClient, contracts),
    publicClient.readContract({
      address: contracts.cfa,
      abi: cfaV1Abi,
      functionName: 'getFlow',
      args: [superToken, subscriber, receiver],
    }),
    readStreamPosition(publicClient, contracts, subscriber),
  ]);
  if (existingRate < decrease)
    throw streamChainErrors.error(
      'flow_not_found',
      `${subscriber} streams less to ${receiver} than the plan's share`,
      {
        subscriber,
        receiver,
        flowRate: existingRate.toString(),
      },
    );
  const rate = existingRate - decrease;
  const userData = flowReference(terms.checkoutId);
  const step: CheckoutStep =
    rate === 0n
      ? {
          kind: 'delete_flow',
          buffer: -bufferFor(existingRate, flowTerms),
          ...agreementCall(
            contracts,
            encodeFunctionData({
              abi: cfaV1Abi,
              functionName: 'deleteFlow',
              args: [superToken, subscriber, receiver, '0x'],
            }),
            userData,
          ),
        }
      : {
          kind: 'update_flow',
          buffer: bufferFor(rate, flowTerms) - bufferFor(existingRate, flowTerms),
          ...agreementCall(
            contracts,
            encodeFunctionData({
              abi: cfaV1Abi,
              functionName: 'updateFlow',
              args: [superToken, receiver, rate, '0x'],
            }),
            userData,
          ),
        };
  return {
    contracts,
    terms: { ...terms, flowRate: -decrease, prepaidSeconds: 0n },
    flowTerms,
    buffer: step.buffer,
    existingFlowRate: existingRate,
    position,
    wrapAmount: 0n,
    steps: [step],
    permit: null,
  };
}

/**
 * How long the subscriber's balance lasts once the checkout is done: what it holds, plus what the
 * checkout wraps, less the deposit the flow locks, spent at its net rate plus the new one. Null
 * when the account receives more than it sends.
 */
export function lastsAfterCheckout(plan: CheckoutPlan): bigint | null {
  const { position, wrapAmount, buffer, terms } = plan;
  const outflow = -position.netFlowRate + (terms.flowStart === 'operator' ? 0n : terms.flowRate);
  return runOutOf({
    ...position,
    availableBalance:
      position.availableBalance +
      wrapAmount -
      buffer -
      (terms.payment ?? 0n) -
      (terms.startAmount ?? 0n) -
      (terms.keptForCliffs ?? 0n),
    netFlowRate: -outflow,
  }).lastsSeconds;
}

/**
 * The fewest prompts for the plan's steps: an approve that cannot be a permit is a transaction of
 * its own, and everything else goes in one `batchCall` (or alone, when it is the only step left).
 * With a permit and no signature yet, the first prompt is the signature. A signed permit is public
 * once the batch is in the mempool: if someone submits it first the batch reverts, but the
 * allowance it gave stays, so planning again drops the approve and the wallet sends the rest.
 */
export function foldCheckout(plan: CheckoutPlan, permitSignature?: Hex): WalletPrompt[] {
  const prompts: WalletPrompt[] = [];
  const operations: BatchOperation[] = [];
  const covers: CheckoutStepKind[] = [];
  let awaitingSignature = false;
  for (const step of plan.steps) {
    if (step.kind !== 'approve') {
      operations.push(step.operation);
      covers.push(step.kind);
    } else if (!plan.permit) {
      prompts.push({ kind: 'send', covers: ['approve'], call: step.call });
    } else if (permitSignature) {
      const permit = permitCall(plan.permit, permitSignature);
      operations.push({
        operationType: BATCH_OPERATION.SIMPLE_FORWARD_CALL,
        target: permit.to,
        data: permit.data,
      });
      covers.push('approve');
    } else {
      prompts.push({ kind: 'sign_permit', covers: ['approve'], permit: plan.permit });
      covers.push('approve');
      awaitingSignature = true;
    }
  }
  if (awaitingSignature) return [...prompts, { kind: 'send_after_signature', covers }];
  const [lone, ...others] = plan.steps.filter((step) => step.kind !== 'approve');
  if (operations.length === 1 && lone && others.length === 0) {
    // One step needs no batch around it: its own call costs less.
    prompts.push({ kind: 'send', covers, call: lone.call });
  } else if (operations.length > 0) {
    prompts.push({ kind: 'send', covers, call: batchCall(plan.contracts.host, operations) });
  }
  return prompts;
}

export interface CheckoutOutcome {
  /** The subscriber's transactions, in the order sent. */
  receipts: TransactionReceipt[];
  signatures: number;
}

/** Runs the folded prompts with the subscriber's wallet: the signature first when there is a permit, then the sends. */
export async function executeCheckout(
  publicClient: StreamPublicClient,
  wallet: StreamWalletClient,
  plan: CheckoutPlan,
): Promise<CheckoutOutcome> {
  let prompts = foldCheckout(plan);
  let signatures = 0;
  const first = prompts[0];
  if (first?.kind === 'sign_permit') {
    const signature = await wallet.signTypedData(first.permit);
    signatures++;
    prompts = foldCheckout(plan, signature);
  }
  const receipts: TransactionReceipt[] = [];
  for (const prompt of prompts) {
    if (prompt.kind !== 'send') throw new Error(`a ${prompt.kind} prompt is left after signing`);
    receipts.push(await sendCall(publicClient, wallet, prompt.call));
  }
  return { receipts, signatures };
}

/** Runs every step as its own transaction, as a wallet that cannot batch would (four prompts at most). */
export async function executeCheckoutSteps(
  publicClient: StreamPublicClient,
  wallet: StreamWalletClient,
  plan: CheckoutPlan,
): Promise<CheckoutOutcome> {
  const receipts: TransactionReceipt[] = [];
  for (const step of plan.steps) receipts.push(await sendCall(publicClient, wallet, step.call));
  return { receipts, signatures: 0 };
}

export function batchCall(host: Address, operations: readonly BatchOperation[]): ChainCall {
  return {
    to: host,
    data: encodeFunctionData({ abi: hostCallAbi, functionName: 'batchCall', args: [operations] }),
  };
}

/** An agreement call sent alone (through the host's `callAgreement`) and as batch operation 201. */
function agreementCall(
  contracts: Pick<StreamContracts, 'host' | 'cfa'>,
  callData: Hex,
  userData: Hex,
): { call: ChainCall; operation: BatchOperation } {
  return {
    call: {
      to: contracts.host,
      data: encodeFunctionData({
        abi: hostCallAbi,
        functionName: 'callAgreement',
        args: [contracts.cfa, callData, userData],
      }),
    },
    operation: {
      operationType: BATCH_OPERATION.SUPERFLUID_CALL_AGREEMENT,
      target: contracts.cfa,
      data: encodeAbiParameters([{ type: 'bytes' }, { type: 'bytes' }], [callData, userData]),
    },
  };
}

/**
 * Super tokens count in 18 decimals. Upgrading from a token with fewer pulls whole units of it and
 * drops the wei below one (`SuperToken._toUnderlyingAmount`), so the amount is rounded up to a
 * whole unit: the subscriber gets at least what the flow needs.
 */
export function wrapAmounts(
  missing: bigint,
  underlyingDecimals: number,
): { amount: bigint; underlyingAmount: bigint } {
  if (underlyingDecimals < STANDARD_DECIMALS) {
    const factor = 10n ** BigInt(STANDARD_DECIMALS - underlyingDecimals);
    const underlyingAmount = (missing + factor - 1n) / factor;
    return { amount: underlyingAmount * factor, underlyingAmount };
  }
  const factor = 10n ** BigInt(underlyingDecimals - STANDARD_DECIMALS);
  return { amount: missing, underlyingAmount: missing * factor };
}
