import { type Address, encodeAbiParameters, encodeFunctionData, erc20Abi, type Hex } from 'viem';
import { cfaV1Abi } from '../../chain/superfluid/abi';
import { bufferFor, readFlowTerms, readStreamPosition } from './buffer';
import type { ChainCall, StreamPublicClient } from './call';
import { BATCH_OPERATION, batchCall } from './checkout';
import type { StreamContracts } from './contracts';
import { streamChainErrors } from './errors';
import { prepareFlowCreate } from './operator';

/**
 * A vesting plan's cliff, done by Tally's operator in one transaction of the host's `batchCall`:
 * the start amount taken from the subscriber to the producer (the super token's transferFrom, on
 * the allowance the checkout gave the operator), and the flow created by the operator with the
 * checkout's userData, so the follower starts the subscription as for any checkout. Both or
 * neither: a start amount is never paid for a stream that did not open.
 */
export async function prepareVestingStart(
  publicClient: StreamPublicClient,
  contracts: StreamContracts,
  vesting: {
    operator: Address;
    sender: Address;
    receiver: Address;
    flowRate: bigint;
    startAmount: bigint;
    userData: Hex;
  },
): Promise<ChainCall> {
  const { operator, sender, receiver, flowRate, startAmount, userData } = vesting;
  // The flow's own checks: no flow yet, the permission to create it, the buffer covered.
  await prepareFlowCreate(publicClient, contracts, { operator, sender, receiver, flowRate, userData });
  const [allowance, position, terms] = await Promise.all([
    publicClient.readContract({
      address: contracts.superToken,
      abi: erc20Abi,
      functionName: 'allowance',
      args: [sender, operator],
    }),
    readStreamPosition(publicClient, contracts, sender),
    readFlowTerms(publicClient, contracts),
  ]);
  if (allowance < startAmount || position.availableBalance < startAmount + bufferFor(flowRate, terms))
    throw streamChainErrors.error(
      'start_amount_not_covered',
      `${sender} has not allowed or does not hold the start amount and the deposit`,
      {
        allowance: allowance.toString(),
        available: position.availableBalance.toString(),
        start_amount: startAmount.toString(),
      },
    );
  const createFlow = encodeFunctionData({
    abi: cfaV1Abi,
    functionName: 'createFlowByOperator',
    args: [contracts.superToken, sender, receiver, flowRate, '0x'],
  });
  return batchCall(contracts.host, [
    {
      operationType: BATCH_OPERATION.ERC20_TRANSFER_FROM,
      target: contracts.superToken,
      data: encodeAbiParameters(
        [{ type: 'address' }, { type: 'address' }, { type: 'uint256' }],
        [sender, receiver, startAmount],
      ),
    },
    {
      operationType: BATCH_OPERATION.SUPERFLUID_CALL_AGREEMENT,
      target: contracts.cfa,
      data: encodeAbiParameters([{ type: 'bytes' }, { type: 'bytes' }], [createFlow, userData]),
    },
  ]);
}
