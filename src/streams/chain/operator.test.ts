import { type Address, isAddressEqual, parseEventLogs } from 'viem';
import { beforeAll, describe, expect, it } from 'vitest';
import { cfaV1Abi } from '../../chain/superfluid/abi';
import { newId } from '../../core/ids';
import { bufferFor, readStreamPosition } from './buffer';
import { type ChainCall, sendCall } from './call';
import { type CheckoutTerms, executeCheckout, planCheckout } from './checkout';
import { checkoutIdOf, flowReference } from './flow-reference';
import { prepareFlowCreate, prepareFlowDelete, prepareFlowUpdate, readOperatorPermissions } from './operator';
import { type StreamsChain, startStreamsChain } from './test-fixtures';

const flowRate = 3_858_024_691_358n;
const aMonth = 30n * 86_400n;

describe('Tally’s operator on a subscriber’s flow', () => {
  let streams: StreamsChain;
  beforeAll(async () => {
    streams = await startStreamsChain();
  });

  async function checkout(
    subscriberIndex: number,
    receiverIndex: number,
    extra: Partial<CheckoutTerms> = {},
  ) {
    const terms = {
      subscriber: streams.wallet(subscriberIndex).account.address,
      receiver: streams.wallet(receiverIndex).account.address,
      flowRate,
      operator: streams.treasury.account.address,
      checkoutId: newId(),
      prepaidSeconds: aMonth,
      ...extra,
    } satisfies CheckoutTerms;
    const plan = await planCheckout(streams.publicClient, streams.daix, terms);
    const { receipts } = await executeCheckout(streams.publicClient, streams.wallet(subscriberIndex), plan);
    const { timestamp } = await streams.publicClient.getBlock({ blockNumber: receipts.at(-1)!.blockNumber });
    return { terms, plan, at: timestamp };
  }

  async function flowOf(sender: Address, receiver: Address) {
    const [timestamp, rate, deposit] = await streams.publicClient.readContract({
      address: streams.daix.cfa,
      abi: cfaV1Abi,
      functionName: 'getFlow',
      args: [streams.daix.superToken, sender, receiver],
    });
    return { timestamp, rate, deposit };
  }

  /** The treasury sends the call at `second`, as the sender would send the line's queued transaction. */
  async function sendAtSecond(second: bigint, call: ChainCall) {
    await streams.nextBlockAt(second);
    return sendCall(streams.publicClient, streams.treasury, call);
  }

  it('changes the rate, then closes the flow: the subscriber gets the whole buffer back', async () => {
    const { terms, plan, at } = await checkout(1, 2);
    const { subscriber, receiver, operator } = terms;
    const wrapped = plan.steps.find((step) => step.kind === 'wrap');
    const held = wrapped?.kind === 'wrap' ? wrapped.amount : 0n;
    const flow = { operator, sender: subscriber, receiver };

    const newRate = 2n * flowRate + 7n;
    const update = await prepareFlowUpdate(streams.publicClient, streams.daix, {
      ...flow,
      flowRate: newRate,
    });
    expect(update.to).toBe(streams.daix.host);
    const updated = await sendAtSecond(at + 86_400n, update);
    expect(await flowOf(subscriber, receiver)).toEqual({
      timestamp: at + 86_400n,
      rate: newRate,
      deposit: bufferFor(newRate, plan.flowTerms),
    });
    const extension = parseEventLogs({
      abi: cfaV1Abi,
      eventName: 'FlowUpdatedExtension',
      logs: updated.logs.filter((log) => isAddressEqual(log.address, streams.daix.cfa)),
    });
    expect(extension[0]?.args).toEqual({
      flowOperator: operator,
      deposit: bufferFor(newRate, plan.flowTerms),
    });

    const close = await prepareFlowDelete(streams.publicClient, streams.daix, flow);
    await sendAtSecond(at + 2n * 86_400n, close);
    expect(await flowOf(subscriber, receiver)).toEqual({ timestamp: 0n, rate: 0n, deposit: 0n });
    const streamed = flowRate * 86_400n + newRate * 86_400n;
    expect(await streams.superBalance(streams.daix, receiver)).toBe(streamed);
    expect(await streams.superBalance(streams.daix, subscriber)).toBe(held - streamed);
    const position = await readStreamPosition(streams.publicClient, streams.daix, subscriber);
    expect(position).toMatchObject({ availableBalance: held - streamed, deposit: 0n, netFlowRate: 0n });
  });

  it('starts a vesting plan’s flow at its cliff from what the subscriber wrapped at checkout', async () => {
    const { terms, plan, at } = await checkout(3, 4, { flowStart: 'operator' });
    expect(plan.steps.map((step) => step.kind)).toEqual(['approve', 'wrap', 'authorize_operator']);
    const { subscriber, receiver, operator } = terms;
    expect(await flowOf(subscriber, receiver)).toEqual({ timestamp: 0n, rate: 0n, deposit: 0n });

    const start = await prepareFlowCreate(streams.publicClient, streams.daix, {
      operator,
      sender: subscriber,
      receiver,
      flowRate,
      userData: flowReference(terms.checkoutId),
    });
    const cliff = at + 7n * 86_400n;
    const created = await sendAtSecond(cliff, start);
    expect(await flowOf(subscriber, receiver)).toEqual({
      timestamp: cliff,
      rate: flowRate,
      deposit: plan.buffer,
    });
    const [event] = parseEventLogs({
      abi: cfaV1Abi,
      eventName: 'FlowUpdated',
      logs: created.logs.filter((log) => isAddressEqual(log.address, streams.daix.cfa)),
    });
    expect(checkoutIdOf(event!.args.userData)).toBe(terms.checkoutId);
    // Full control's allowance is never drawn down.
    expect(await readOperatorPermissions(streams.publicClient, streams.daix, subscriber, operator)).toEqual({
      permissions: 7,
      flowRateAllowance: 2n ** 95n - 1n,
    });
  });

  it('refuses changes the agreement would revert, with a code', async () => {
    const { terms } = await checkout(5, 6);
    const { subscriber, receiver, operator } = terms;
    const stranger = streams.wallet(9).account.address;
    const read = streams.publicClient;
    const daix = streams.daix;

    await expect(
      prepareFlowUpdate(read, daix, { operator, sender: subscriber, receiver: stranger, flowRate }),
    ).rejects.toMatchObject({ code: 'flow_not_found', status: 409 });
    await expect(
      prepareFlowDelete(read, daix, { operator: stranger, sender: subscriber, receiver }),
    ).rejects.toMatchObject({
      code: 'flow_operator_not_authorized',
      details: { permissions: 0, needed: 'delete' },
    });
    await expect(
      prepareFlowCreate(read, daix, { operator, sender: subscriber, receiver, flowRate, userData: '0x' }),
    ).rejects.toMatchObject({ code: 'flow_exists' });
    await expect(
      prepareFlowUpdate(read, daix, { operator, sender: subscriber, receiver, flowRate: 10n ** 15n }),
    ).rejects.toMatchObject({ code: 'insufficient_funds' });
  });
});
