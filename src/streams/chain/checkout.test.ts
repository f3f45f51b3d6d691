import {
  type Address,
  encodeAbiParameters,
  erc20Abi,
  isAddressEqual,
  parseEventLogs,
  type TransactionReceipt,
} from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { cfaV1Abi, superTokenSolvencyAbi } from '../../chain/superfluid/abi';
import { AppError } from '../../core/errors';
import { newId } from '../../core/ids';
import { bufferFor, readStreamPosition, runOutOf } from './buffer';
import {
  BATCH_OPERATION,
  batchCall,
  type CheckoutTerms,
  executeCheckout,
  executeCheckoutSteps,
  foldCheckout,
  lastsAfterCheckout,
  planCheckout,
} from './checkout';
import type { StreamContracts } from './contracts';
import { checkoutIdOf } from './flow-reference';
import { FULL_CONTROL } from './operator';
import { readPermitDomain } from './permit';
import { type StreamsChain, startStreamsChain } from './test-fixtures';

/** 10 DAI a month of 30 days, the seed's example rate. */
const flowRate = 3_858_024_691_358n;
const aMonth = 30n * 86_400n;

describe('a checkout on the embedded chain', () => {
  let streams: StreamsChain;
  beforeAll(async () => {
    streams = await startStreamsChain();
  });

  function termsFor(subscriberIndex: number, receiverIndex: number, extra: Partial<CheckoutTerms> = {}) {
    return {
      subscriber: streams.wallet(subscriberIndex).account.address,
      receiver: streams.wallet(receiverIndex).account.address,
      flowRate,
      operator: streams.treasury.account.address,
      checkoutId: newId(),
      prepaidSeconds: aMonth,
      ...extra,
    } satisfies CheckoutTerms;
  }

  const nonce = (address: Address) => streams.publicClient.getTransactionCount({ address });

  async function flowOf(contracts: StreamContracts, sender: Address, receiver: Address) {
    const [timestamp, rate, deposit, owedDeposit] = await streams.publicClient.readContract({
      address: contracts.cfa,
      abi: cfaV1Abi,
      functionName: 'getFlow',
      args: [contracts.superToken, sender, receiver],
    });
    return { timestamp, rate, deposit, owedDeposit };
  }

  function flowEvents(contracts: StreamContracts, receipt: TransactionReceipt) {
    return parseEventLogs({
      abi: cfaV1Abi,
      logs: receipt.logs.filter((log) => isAddressEqual(log.address, contracts.cfa)),
    });
  }

  async function isCritical(contracts: StreamContracts, account: Address, blockNumber: bigint) {
    const { timestamp } = await streams.publicClient.getBlock({ blockNumber });
    return streams.publicClient.readContract({
      address: contracts.superToken,
      abi: superTokenSolvencyAbi,
      functionName: 'isAccountCritical',
      args: [account, timestamp],
      blockNumber,
    });
  }

  it('DAI: the four steps take one permit signature and one transaction', async () => {
    const terms = termsFor(1, 2);
    const { daix } = streams;
    const plan = await planCheckout(streams.publicClient, daix, terms);
    expect(plan.steps.map((step) => step.kind)).toEqual([
      'approve',
      'wrap',
      'create_flow',
      'authorize_operator',
    ]);
    expect(plan.buffer).toBe(bufferFor(flowRate, plan.flowTerms));
    const wrap = plan.steps[1]!;
    expect(wrap.kind === 'wrap' && wrap.amount).toBe(plan.buffer + flowRate * aMonth);
    expect(plan.permit?.domain).toEqual({
      name: 'Dai Stablecoin',
      version: '1',
      chainId: streams.chain.client.chainId,
      verifyingContract: daix.underlying,
    });
    expect(foldCheckout(plan).map((prompt) => prompt.kind)).toEqual(['sign_permit', 'send_after_signature']);

    const before = await nonce(terms.subscriber);
    const outcome = await executeCheckout(streams.publicClient, streams.wallet(1), plan);
    expect(outcome.signatures).toBe(1);
    expect(outcome.receipts).toHaveLength(1);
    expect(await nonce(terms.subscriber)).toBe(before + 1);
    const [receipt] = outcome.receipts;
    expect(receipt!.to && isAddressEqual(receipt!.to, daix.host)).toBe(true);

    const createdAt = (await streams.publicClient.getBlock({ blockNumber: receipt!.blockNumber })).timestamp;
    expect(await flowOf(daix, terms.subscriber, terms.receiver)).toEqual({
      timestamp: createdAt,
      rate: flowRate,
      deposit: plan.buffer,
      owedDeposit: 0n,
    });
    const events = flowEvents(daix, receipt!);
    const flowUpdated = events.find((event) => event.eventName === 'FlowUpdated');
    expect(flowUpdated?.args).toMatchObject({
      token: daix.superToken,
      sender: terms.subscriber,
      receiver: terms.receiver,
      flowRate,
    });
    expect(checkoutIdOf(flowUpdated!.args.userData)).toBe(terms.checkoutId);
    expect(events.find((event) => event.eventName === 'FlowOperatorUpdated')?.args).toMatchObject({
      sender: terms.subscriber,
      flowOperator: terms.operator,
      permissions: FULL_CONTROL.permissions,
      flowRateAllowance: FULL_CONTROL.flowRateAllowance,
    });
    // The permit's allowance was spent to the wei by the wrap.
    expect(
      await streams.publicClient.readContract({
        address: daix.underlying,
        abi: erc20Abi,
        functionName: 'allowance',
        args: [terms.subscriber, daix.superToken],
      }),
    ).toBe(0n);

    // The producer's wallet fills by the rate, to the wei.
    const anHourOn = await streams.mineAt(createdAt + 3_600n);
    expect(await streams.superBalance(daix, terms.receiver, anHourOn)).toBe(flowRate * 3_600n);

    // The prepaid month runs out at the second the maths says, not one before.
    const position = await readStreamPosition(streams.publicClient, daix, terms.subscriber);
    expect(position).toMatchObject({
      availableBalance: flowRate * (aMonth - 3_600n),
      netFlowRate: -flowRate,
    });
    const runOut = runOutOf(position);
    expect(runOut.criticalAt).toBe(createdAt + aMonth + 1n);
    expect(runOut.insolventAt).toBe(createdAt + aMonth + plan.buffer / flowRate + 1n);
    expect(await isCritical(daix, terms.subscriber, await streams.mineAt(runOut.criticalAt! - 1n))).toBe(
      false,
    );
    expect(await isCritical(daix, terms.subscriber, await streams.mineAt(runOut.criticalAt!))).toBe(true);
  });

  it('USDC: six decimals, rounded up to a whole micro-USDC, in one signature and one transaction', async () => {
    const terms = termsFor(3, 2);
    const { usdcx } = streams;
    const plan = await planCheckout(streams.publicClient, usdcx, terms);
    expect(plan.permit?.domain).toMatchObject({ name: 'USD Coin', version: '2' });
    const wrap = plan.steps.find((step) => step.kind === 'wrap');
    const needed = plan.buffer + flowRate * aMonth;
    expect(wrap).toMatchObject({ underlyingAmount: (needed + 10n ** 12n - 1n) / 10n ** 12n });
    expect(wrap?.kind === 'wrap' && wrap.amount - needed).toBeLessThan(10n ** 12n);

    const before = await nonce(terms.subscriber);
    const outcome = await executeCheckout(streams.publicClient, streams.wallet(3), plan);
    expect([outcome.signatures, outcome.receipts.length]).toEqual([1, 1]);
    expect(await nonce(terms.subscriber)).toBe(before + 1);
    expect((await flowOf(usdcx, terms.subscriber, terms.receiver)).rate).toBe(flowRate);
  });

  it('a token without EIP-2612 permit takes two transactions: the approve, then the batch', async () => {
    const terms = termsFor(4, 2);
    const { daix } = streams;
    // The host is a contract without permit: what readPermitDomain answers for mainnet DAI's kind.
    expect(await readPermitDomain(streams.publicClient, daix.host)).toBeNull();
    const plan = { ...(await planCheckout(streams.publicClient, daix, terms)), permit: null };
    const prompts = foldCheckout(plan);
    expect(prompts.map((prompt) => prompt.kind === 'send' && prompt.covers)).toEqual([
      ['approve'],
      ['wrap', 'create_flow', 'authorize_operator'],
    ]);

    const before = await nonce(terms.subscriber);
    const outcome = await executeCheckout(streams.publicClient, streams.wallet(4), plan);
    expect([outcome.signatures, outcome.receipts.length]).toEqual([0, 2]);
    expect(await nonce(terms.subscriber)).toBe(before + 2);
    expect((await flowOf(daix, terms.subscriber, terms.receiver)).deposit).toBe(plan.buffer);
  });

  it('leaves out what the wallet has done already, and sends a lone step without a batch', async () => {
    const { daix } = streams;
    const first = termsFor(5, 2, { prepaidSeconds: 2n * aMonth });
    await executeCheckout(
      streams.publicClient,
      streams.wallet(5),
      await planCheckout(streams.publicClient, daix, first),
    );

    // A second plan from another producer: the DAIx is there, and the operator is authorised.
    const second = termsFor(5, 6, { prepaidSeconds: 0n });
    const plan = await planCheckout(streams.publicClient, daix, second);
    expect(plan.steps.map((step) => step.kind)).toEqual(['create_flow']);
    const prompts = foldCheckout(plan);
    expect(prompts).toEqual([{ kind: 'send', covers: ['create_flow'], call: plan.steps[0]!.call }]);
    await executeCheckout(streams.publicClient, streams.wallet(5), plan);
    expect((await flowOf(daix, second.subscriber, second.receiver)).rate).toBe(flowRate);

    // A second plan of the same producer in the same token: the one flow's rate grows by the plan's.
    const third = { ...second, checkoutId: newId(), flowRate: 2n * flowRate };
    const raise = await planCheckout(streams.publicClient, daix, third);
    expect(raise.existingFlowRate).toBe(flowRate);
    expect(raise.steps.map((step) => step.kind)).toEqual(['update_flow']);
    const before = await flowOf(daix, second.subscriber, second.receiver);
    const { receipts } = await executeCheckout(streams.publicClient, streams.wallet(5), raise);
    const after = await flowOf(daix, second.subscriber, second.receiver);
    expect(after.rate).toBe(3n * flowRate);
    // The deposit grew by exactly what the plan said it would lock.
    expect(after.deposit - before.deposit).toBe(raise.buffer);
    const updated = flowEvents(daix, receipts[0]!).find((event) => event.eventName === 'FlowUpdated');
    expect(checkoutIdOf(updated!.args.userData)).toBe(third.checkoutId);

    // A vesting plan's flow is Tally's operator's to create at the cliff: not beside a running flow.
    const vesting = await planCheckout(streams.publicClient, daix, {
      ...second,
      checkoutId: newId(),
      flowStart: 'operator',
    }).catch((e) => e);
    expect(vesting).toBeInstanceOf(AppError);
    expect(vesting).toMatchObject({ code: 'flow_exists', status: 409 });
  });

  it('says how long the balance lasts after the checkout, as the chain then reads it', async () => {
    const { daix } = streams;
    const terms = termsFor(8, 3, { prepaidSeconds: aMonth });
    const plan = await planCheckout(streams.publicClient, daix, terms);
    const lasts = lastsAfterCheckout(plan);
    const { receipts } = await executeCheckout(streams.publicClient, streams.wallet(8), plan);
    const position = await readStreamPosition(streams.publicClient, daix, terms.subscriber);
    const runOut = runOutOf(position);
    // Read a few blocks later: the same moment of running out, give or take the seconds between.
    const minedAt = (await streams.publicClient.getBlock({ blockNumber: receipts.at(-1)!.blockNumber }))
      .timestamp;
    expect(lasts).not.toBeNull();
    expect(runOut.criticalAt! - minedAt).toBeGreaterThanOrEqual(lasts! - 5n);
    expect(runOut.criticalAt! - minedAt).toBeLessThanOrEqual(lasts! + 5n);
    // At least the prepaid month.
    expect(lasts!).toBeGreaterThanOrEqual(aMonth - 5n);
  });

  it('one transaction per step still works, for a wallet that cannot batch', async () => {
    const terms = termsFor(7, 2);
    const { daix } = streams;
    const plan = await planCheckout(streams.publicClient, daix, terms);
    const before = await nonce(terms.subscriber);
    const outcome = await executeCheckoutSteps(streams.publicClient, streams.wallet(7), plan);
    expect(outcome.receipts).toHaveLength(4);
    expect(await nonce(terms.subscriber)).toBe(before + 4);
    const flowUpdated = outcome.receipts
      .flatMap((receipt) => flowEvents(daix, receipt))
      .find((event) => event.eventName === 'FlowUpdated');
    expect(checkoutIdOf(flowUpdated!.args.userData)).toBe(terms.checkoutId);
  });

  it('the host’s batch cannot carry a plain approve of the underlying token', async () => {
    const terms = termsFor(6, 2);
    const { daix } = streams;
    const plan = await planCheckout(streams.publicClient, daix, terms);
    const [approve, wrap] = plan.steps;
    if (approve?.kind !== 'approve' || wrap?.kind !== 'wrap') throw new Error('expected approve, then wrap');
    const approveArgs = encodeAbiParameters(
      [{ type: 'address' }, { type: 'uint256' }],
      [daix.superToken, approve.underlyingAmount],
    );
    const attempts = [
      // Operation 1 is the super token's operationApprove: the underlying token has no such function.
      { operationType: BATCH_OPERATION.ERC20_APPROVE, target: daix.underlying, data: approveArgs },
      // Operation 301 calls from the host's SimpleForwarder, so the allowance would be the forwarder's.
      {
        operationType: BATCH_OPERATION.SIMPLE_FORWARD_CALL,
        target: daix.underlying,
        data: approve.call.data,
      },
    ];
    for (const attempt of attempts) {
      const call = batchCall(daix.host, [attempt, wrap.operation]);
      await expect(
        streams.publicClient.estimateGas({ account: terms.subscriber, to: call.to, data: call.data }),
        `operation ${attempt.operationType}`,
      ).rejects.toThrow();
    }
  });

  it('refuses a subscriber who holds too little to wrap', async () => {
    const terms = termsFor(8, 2, { prepaidSeconds: 10n ** 12n });
    await expect(planCheckout(streams.publicClient, streams.daix, terms)).rejects.toMatchObject({
      code: 'insufficient_funds',
    });
  });

  it('names the batch operations as the host numbers them', () => {
    expect(BATCH_OPERATION).toEqual({
      ERC20_APPROVE: 1,
      ERC20_TRANSFER_FROM: 2,
      ERC777_SEND: 3,
      SUPERTOKEN_UPGRADE: 101,
      SUPERFLUID_CALL_AGREEMENT: 201,
      SIMPLE_FORWARD_CALL: 301,
    });
  });
});
