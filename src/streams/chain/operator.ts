import { type Address, encodeFunctionData, type Hex } from 'viem';
import { cfaV1Abi, hostCallAbi } from '../../chain/superfluid/abi';
import { AppError } from '../../core/errors';
import { bufferFor, readFlowTerms, readStreamPosition } from './buffer';
import type { ChainCall, StreamPublicClient } from './call';
import type { StreamContracts } from './contracts';
import { streamChainErrors } from './errors';

/**
 * What Tally's operator (the treasury) does to a subscriber's flow after the checkout: change its
 * rate when the plan changes, close it before it turns critical, and start a flow the subscriber
 * authorised ahead (a vesting plan at its cliff). Each is checked against the chain as the
 * agreement would check it, so a refusal has a code rather than a revert string, and returned as a
 * call to the host (`callAgreement` with the CFA's `…ByOperator` function) for the line to queue
 * through the treasury sender (`queueTransaction`'s `to` and `data`).
 */

/** FlowOperatorDefinitions: one bit per kind of change the operator may make. */
export const FLOW_OPERATOR_PERMISSION = { create: 1, update: 2, delete: 4 } as const;
const MAX_INT96 = 2n ** 95n - 1n;
/** What `authorizeFlowOperatorWithFullControl` grants: every change, and an allowance the agreement never draws down. */
export const FULL_CONTROL = { permissions: 7, flowRateAllowance: MAX_INT96 } as const;

export interface OperatorPermissions {
  permissions: number;
  /** Wei per second the operator may still add to the sender's flows; never drawn down at int96's maximum. */
  flowRateAllowance: bigint;
}

export interface OperatorFlow {
  operator: Address;
  /** The subscriber, whose flow it is. */
  sender: Address;
  receiver: Address;
}

export async function readOperatorPermissions(
  publicClient: StreamPublicClient,
  contracts: Pick<StreamContracts, 'cfa' | 'superToken'>,
  sender: Address,
  operator: Address,
): Promise<OperatorPermissions> {
  const [, permissions, flowRateAllowance] = await publicClient.readContract({
    address: contracts.cfa,
    abi: cfaV1Abi,
    functionName: 'getFlowOperatorData',
    args: [contracts.superToken, sender, operator],
  });
  return { permissions, flowRateAllowance };
}

/** A plan change: the flow's new rate, the buffer's difference taken from or returned to the subscriber. */
export async function prepareFlowUpdate(
  publicClient: StreamPublicClient,
  contracts: StreamContracts,
  flow: OperatorFlow & { flowRate: bigint; userData?: Hex },
): Promise<ChainCall> {
  const state = await readOperatorState(publicClient, contracts, flow);
  const oldRate = requireFlow(state.flowRate, flow);
  requirePermission(state.permissions, 'update', flow);
  if (flow.flowRate > oldRate) requireAllowance(state.permissions, flow.flowRate - oldRate, flow);
  const terms = await readFlowTerms(publicClient, contracts);
  requireBufferCovered(state.availableBalance, bufferFor(flow.flowRate, terms) - state.deposit, flow);
  return operatorCall(
    contracts,
    encodeFunctionData({
      abi: cfaV1Abi,
      functionName: 'updateFlowByOperator',
      args: [contracts.superToken, flow.sender, flow.receiver, flow.flowRate, '0x'],
    }),
    flow.userData,
  );
}

/** Closing the flow: while the subscriber is solvent the agreement returns the whole buffer. */
export async function prepareFlowDelete(
  publicClient: StreamPublicClient,
  contracts: StreamContracts,
  flow: OperatorFlow & { userData?: Hex },
): Promise<ChainCall> {
  const state = await readOperatorState(publicClient, contracts, flow);
  requireFlow(state.flowRate, flow);
  requirePermission(state.permissions, 'delete', flow);
  return operatorCall(
    contracts,
    encodeFunctionData({
      abi: cfaV1Abi,
      functionName: 'deleteFlowByOperator',
      args: [contracts.superToken, flow.sender, flow.receiver, '0x'],
    }),
    flow.userData,
  );
}

/**
 * A flow the operator starts from the subscriber's balance: the subscriber granted the permission
 * at checkout, and holds the buffer by then.
 */
export async function prepareFlowCreate(
  publicClient: StreamPublicClient,
  contracts: StreamContracts,
  flow: OperatorFlow & { flowRate: bigint; userData: Hex },
): Promise<ChainCall> {
  const state = await readOperatorState(publicClient, contracts, flow);
  if (state.flowRate !== 0n) {
    throw streamChainErrors.error('flow_exists', `${flow.sender} already streams to ${flow.receiver}`, {
      sender: flow.sender,
      receiver: flow.receiver,
      flowRate: state.flowRate.toString(),
    });
  }
  requirePermission(state.permissions, 'create', flow);
  requireAllowance(state.permissions, flow.flowRate, flow);
  const terms = await readFlowTerms(publicClient, contracts);
  requireBufferCovered(state.availableBalance, bufferFor(flow.flowRate, terms), flow);
  return operatorCall(
    contracts,
    encodeFunctionData({
      abi: cfaV1Abi,
      functionName: 'createFlowByOperator',
      args: [contracts.superToken, flow.sender, flow.receiver, flow.flowRate, '0x'],
    }),
    flow.userData,
  );
}

interface OperatorState {
  flowRate: bigint;
  deposit: bigint;
  availableBalance: bigint;
  permissions: OperatorPermissions;
}

async function readOperatorState(
  publicClient: StreamPublicClient,
  contracts: StreamContracts,
  flow: OperatorFlow,
): Promise<OperatorState> {
  const [[, flowRate, deposit], position, permissions] = await Promise.all([
    publicClient.readContract({
      address: contracts.cfa,
      abi: cfaV1Abi,
      functionName: 'getFlow',
      args: [contracts.superToken, flow.sender, flow.receiver],
    }),
    readStreamPosition(publicClient, contracts, flow.sender),
    readOperatorPermissions(publicClient, contracts, flow.sender, flow.operator),
  ]);
  return { flowRate, deposit, availableBalance: position.availableBalance, permissions };
}

function requireFlow(flowRate: bigint, flow: OperatorFlow): bigint {
  if (flowRate === 0n) {
    throw streamChainErrors.error('flow_not_found', `${flow.sender} streams nothing to ${flow.receiver}`, {
      sender: flow.sender,
      receiver: flow.receiver,
    });
  }
  return flowRate;
}

function requirePermission(
  granted: OperatorPermissions,
  change: keyof typeof FLOW_OPERATOR_PERMISSION,
  flow: OperatorFlow,
): void {
  if ((granted.permissions & FLOW_OPERATOR_PERMISSION[change]) === 0) {
    throw streamChainErrors.error(
      'flow_operator_not_authorized',
      `${flow.sender} has not let ${flow.operator} ${change} its flows`,
      { permissions: granted.permissions, needed: change },
    );
  }
}

/** CFAv1 draws an operator's allowance down by every increase it makes, unless the allowance is int96's maximum. */
function requireAllowance(granted: OperatorPermissions, increase: bigint, flow: OperatorFlow): void {
  if (granted.flowRateAllowance !== MAX_INT96 && increase > granted.flowRateAllowance) {
    throw streamChainErrors.error(
      'flow_operator_not_authorized',
      `${flow.sender} allows ${flow.operator} to add ${granted.flowRateAllowance} wei/s, not ${increase}`,
      { flowRateAllowance: granted.flowRateAllowance.toString(), increase: increase.toString() },
    );
  }
}

/** CFAv1 `_requireAvailableBalance`: after the change the sender's available balance may not be negative. */
function requireBufferCovered(availableBalance: bigint, extraBuffer: bigint, flow: OperatorFlow): void {
  if (extraBuffer > availableBalance) {
    throw new AppError('insufficient_funds', `${flow.sender} holds too little to lock the flow's buffer`, {
      availableBalance: availableBalance.toString(),
      needed: extraBuffer.toString(),
    });
  }
}

function operatorCall(
  contracts: Pick<StreamContracts, 'host' | 'cfa'>,
  callData: Hex,
  userData: Hex = '0x',
): ChainCall {
  return {
    to: contracts.host,
    data: encodeFunctionData({
      abi: hostCallAbi,
      functionName: 'callAgreement',
      args: [contracts.cfa, callData, userData],
    }),
  };
}
