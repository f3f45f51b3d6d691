/**
 * The parts of Superfluid's interfaces Tally calls, written from the protocol's published ABIs
 * (@superfluid-finance/ethereum-contracts 1.15.2). Interfaces only: the bytecode comes from the
 * package's artifacts at run time, see artifacts.ts.
 */

/** The step-wise deployer of the whole framework, used on development chains only. */
export const frameworkDeployerAbi = [
  {
    type: 'function',
    name: 'getNumSteps',
    stateMutability: 'pure',
    inputs: [],
    outputs: [{ name: '', type: 'uint8' }],
  },
  {
    type: 'function',
    name: 'executeStep',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'step', type: 'uint8' }],
    outputs: [],
  },
  {
    type: 'function',
    name: 'getFramework',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      {
        name: 'sf',
        type: 'tuple',
        components: [
          { name: 'governance', type: 'address' },
          { name: 'host', type: 'address' },
          { name: 'cfa', type: 'address' },
          { name: 'ida', type: 'address' },
          { name: 'gda', type: 'address' },
          { name: 'superTokenFactory', type: 'address' },
          { name: 'superTokenLogic', type: 'address' },
          { name: 'resolver', type: 'address' },
          { name: 'superfluidLoader', type: 'address' },
          { name: 'cfaV1Forwarder', type: 'address' },
          { name: 'gdaV1Forwarder', type: 'address' },
          { name: 'macroForwarder', type: 'address' },
          { name: 'clearMacroForwarderV1WithPermit2', type: 'address' },
          { name: 'batchLiquidator', type: 'address' },
          { name: 'toga', type: 'address' },
        ],
      },
    ],
  },
] as const;

export const hostAbi = [
  {
    type: 'function',
    name: 'getGovernance',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'address' }],
  },
  {
    type: 'function',
    name: 'getSuperTokenFactory',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: 'factory', type: 'address' }],
  },
  {
    type: 'function',
    name: 'getAgreementClass',
    stateMutability: 'view',
    inputs: [{ name: 'agreementType', type: 'bytes32' }],
    outputs: [{ name: 'agreementClass', type: 'address' }],
  },
  {
    type: 'function',
    name: 'isAgreementClassListed',
    stateMutability: 'view',
    inputs: [{ name: 'agreementClass', type: 'address' }],
    outputs: [{ name: 'yes', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'isTrustedForwarder',
    stateMutability: 'view',
    inputs: [{ name: 'forwarder', type: 'address' }],
    outputs: [{ name: '', type: 'bool' }],
  },
] as const;

/** Flow rates are int96 wei of the super token per second. */
export const cfaV1ForwarderAbi = [
  {
    type: 'function',
    name: 'createFlow',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
      { name: 'flowrate', type: 'int96' },
      { name: 'userData', type: 'bytes' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'updateFlow',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
      { name: 'flowrate', type: 'int96' },
      { name: 'userData', type: 'bytes' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'deleteFlow',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
      { name: 'userData', type: 'bytes' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'getFlowrate',
    stateMutability: 'view',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
    ],
    outputs: [{ name: 'flowrate', type: 'int96' }],
  },
  {
    type: 'function',
    name: 'getFlowInfo',
    stateMutability: 'view',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
    ],
    outputs: [
      { name: 'lastUpdated', type: 'uint256' },
      { name: 'flowrate', type: 'int96' },
      { name: 'deposit', type: 'uint256' },
      { name: 'owedDeposit', type: 'uint256' },
    ],
  },
  {
    type: 'function',
    name: 'getAccountFlowrate',
    stateMutability: 'view',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'account', type: 'address' },
    ],
    outputs: [{ name: 'flowrate', type: 'int96' }],
  },
  {
    type: 'function',
    name: 'getBufferAmountByFlowrate',
    stateMutability: 'view',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'flowrate', type: 'int96' },
    ],
    outputs: [{ name: 'bufferAmount', type: 'uint256' }],
  },
] as const;

/** Super tokens always have 18 decimals, whatever the decimals of the token they wrap. */
export const superTokenAbi = [
  /** ERC-777 send: a transfer that carries `userData`, which names what it pays for (a usage checkout). */
  {
    type: 'function',
    name: 'send',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'recipient', type: 'address' },
      { name: 'amount', type: 'uint256' },
      { name: 'userData', type: 'bytes' },
    ],
    outputs: [],
  },
  {
    type: 'event',
    name: 'Sent',
    inputs: [
      { name: 'operator', type: 'address', indexed: true },
      { name: 'from', type: 'address', indexed: true },
      { name: 'to', type: 'address', indexed: true },
      { name: 'amount', type: 'uint256', indexed: false },
      { name: 'data', type: 'bytes', indexed: false },
      { name: 'operatorData', type: 'bytes', indexed: false },
    ],
  },
  {
    type: 'function',
    name: 'name',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'string' }],
  },
  {
    type: 'function',
    name: 'symbol',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'string' }],
  },
  {
    type: 'function',
    name: 'decimals',
    stateMutability: 'pure',
    inputs: [],
    outputs: [{ name: '', type: 'uint8' }],
  },
  {
    type: 'function',
    name: 'totalSupply',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'balanceOf',
    stateMutability: 'view',
    inputs: [{ name: 'account', type: 'address' }],
    outputs: [{ name: 'balance', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'allowance',
    stateMutability: 'view',
    inputs: [
      { name: 'account', type: 'address' },
      { name: 'spender', type: 'address' },
    ],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'approve',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'spender', type: 'address' },
      { name: 'amount', type: 'uint256' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'transfer',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'recipient', type: 'address' },
      { name: 'amount', type: 'uint256' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'transferFrom',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'holder', type: 'address' },
      { name: 'recipient', type: 'address' },
      { name: 'amount', type: 'uint256' },
    ],
    outputs: [{ name: '', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'upgrade',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'amount', type: 'uint256' }],
    outputs: [],
  },
  {
    type: 'function',
    name: 'downgrade',
    stateMutability: 'nonpayable',
    inputs: [{ name: 'amount', type: 'uint256' }],
    outputs: [],
  },
  {
    type: 'function',
    name: 'realtimeBalanceOfNow',
    stateMutability: 'view',
    inputs: [{ name: 'account', type: 'address' }],
    outputs: [
      { name: 'availableBalance', type: 'int256' },
      { name: 'deposit', type: 'uint256' },
      { name: 'owedDeposit', type: 'uint256' },
      { name: 'timestamp', type: 'uint256' },
    ],
  },
  {
    type: 'function',
    name: 'getUnderlyingToken',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'address' }],
  },
  {
    type: 'function',
    name: 'getUnderlyingDecimals',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'uint8' }],
  },
  {
    type: 'event',
    name: 'Transfer',
    anonymous: false,
    inputs: [
      { name: 'from', type: 'address', indexed: true },
      { name: 'to', type: 'address', indexed: true },
      { name: 'value', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'Approval',
    anonymous: false,
    inputs: [
      { name: 'owner', type: 'address', indexed: true },
      { name: 'spender', type: 'address', indexed: true },
      { name: 'value', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'TokenUpgraded',
    anonymous: false,
    inputs: [
      { name: 'account', type: 'address', indexed: true },
      { name: 'amount', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'TokenDowngraded',
    anonymous: false,
    inputs: [
      { name: 'account', type: 'address', indexed: true },
      { name: 'amount', type: 'uint256', indexed: false },
    ],
  },
] as const;

export const superTokenFactoryAbi = [
  {
    type: 'function',
    name: 'createERC20Wrapper',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'underlyingToken', type: 'address' },
      { name: 'underlyingDecimals', type: 'uint8' },
      { name: 'upgradability', type: 'uint8' },
      { name: 'name', type: 'string' },
      { name: 'symbol', type: 'string' },
    ],
    outputs: [{ name: 'superToken', type: 'address' }],
  },
  {
    type: 'event',
    name: 'SuperTokenCreated',
    anonymous: false,
    inputs: [{ name: 'token', type: 'address', indexed: true }],
  },
] as const;

/** The host's entry points for calling an agreement, alone or folded with token operations into one transaction. */
export const hostCallAbi = [
  {
    type: 'function',
    name: 'callAgreement',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'agreementClass', type: 'address' },
      { name: 'callData', type: 'bytes' },
      { name: 'userData', type: 'bytes' },
    ],
    outputs: [{ name: 'returnedData', type: 'bytes' }],
  },
  {
    type: 'function',
    name: 'batchCall',
    stateMutability: 'payable',
    inputs: [
      {
        name: 'operations',
        type: 'tuple[]',
        components: [
          { name: 'operationType', type: 'uint32' },
          { name: 'target', type: 'address' },
          { name: 'data', type: 'bytes' },
        ],
      },
    ],
    outputs: [],
  },
] as const;

/**
 * The constant flow agreement itself (IConstantFlowAgreementV1). Its mutating functions take the
 * host's context as their last argument: callers pass empty bytes and the host fills it in.
 */
export const cfaV1Abi = [
  {
    type: 'function',
    name: 'createFlow',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'receiver', type: 'address' },
      { name: 'flowRate', type: 'int96' },
      { name: 'ctx', type: 'bytes' },
    ],
    outputs: [{ name: 'newCtx', type: 'bytes' }],
  },
  {
    type: 'function',
    name: 'updateFlow',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'receiver', type: 'address' },
      { name: 'flowRate', type: 'int96' },
      { name: 'ctx', type: 'bytes' },
    ],
    outputs: [{ name: 'newCtx', type: 'bytes' }],
  },
  {
    type: 'function',
    name: 'deleteFlow',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
      { name: 'ctx', type: 'bytes' },
    ],
    outputs: [{ name: 'newCtx', type: 'bytes' }],
  },
  {
    type: 'function',
    name: 'createFlowByOperator',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
      { name: 'flowRate', type: 'int96' },
      { name: 'ctx', type: 'bytes' },
    ],
    outputs: [{ name: 'newCtx', type: 'bytes' }],
  },
  {
    type: 'function',
    name: 'updateFlowByOperator',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
      { name: 'flowRate', type: 'int96' },
      { name: 'ctx', type: 'bytes' },
    ],
    outputs: [{ name: 'newCtx', type: 'bytes' }],
  },
  {
    type: 'function',
    name: 'deleteFlowByOperator',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
      { name: 'ctx', type: 'bytes' },
    ],
    outputs: [{ name: 'newCtx', type: 'bytes' }],
  },
  {
    type: 'function',
    name: 'authorizeFlowOperatorWithFullControl',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'flowOperator', type: 'address' },
      { name: 'ctx', type: 'bytes' },
    ],
    outputs: [{ name: 'newCtx', type: 'bytes' }],
  },
  {
    type: 'function',
    name: 'getFlow',
    stateMutability: 'view',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'receiver', type: 'address' },
    ],
    outputs: [
      { name: 'timestamp', type: 'uint256' },
      { name: 'flowRate', type: 'int96' },
      { name: 'deposit', type: 'uint256' },
      { name: 'owedDeposit', type: 'uint256' },
    ],
  },
  {
    type: 'function',
    name: 'getAccountFlowInfo',
    stateMutability: 'view',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'account', type: 'address' },
    ],
    outputs: [
      { name: 'timestamp', type: 'uint256' },
      { name: 'flowRate', type: 'int96' },
      { name: 'deposit', type: 'uint256' },
      { name: 'owedDeposit', type: 'uint256' },
    ],
  },
  {
    type: 'function',
    name: 'getNetFlow',
    stateMutability: 'view',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'account', type: 'address' },
    ],
    outputs: [{ name: 'flowRate', type: 'int96' }],
  },
  {
    type: 'function',
    name: 'getDepositRequiredForFlowRate',
    stateMutability: 'view',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'flowRate', type: 'int96' },
    ],
    outputs: [{ name: 'deposit', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'getFlowOperatorData',
    stateMutability: 'view',
    inputs: [
      { name: 'token', type: 'address' },
      { name: 'sender', type: 'address' },
      { name: 'flowOperator', type: 'address' },
    ],
    outputs: [
      { name: 'flowOperatorId', type: 'bytes32' },
      { name: 'permissions', type: 'uint8' },
      { name: 'flowRateAllowance', type: 'int96' },
    ],
  },
  {
    type: 'event',
    name: 'FlowUpdated',
    anonymous: false,
    inputs: [
      { name: 'token', type: 'address', indexed: true },
      { name: 'sender', type: 'address', indexed: true },
      { name: 'receiver', type: 'address', indexed: true },
      { name: 'flowRate', type: 'int96', indexed: false },
      { name: 'totalSenderFlowRate', type: 'int256', indexed: false },
      { name: 'totalReceiverFlowRate', type: 'int256', indexed: false },
      { name: 'userData', type: 'bytes', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'FlowUpdatedExtension',
    anonymous: false,
    inputs: [
      { name: 'flowOperator', type: 'address', indexed: true },
      { name: 'deposit', type: 'uint256', indexed: false },
    ],
  },
  {
    type: 'event',
    name: 'FlowOperatorUpdated',
    anonymous: false,
    inputs: [
      { name: 'token', type: 'address', indexed: true },
      { name: 'sender', type: 'address', indexed: true },
      { name: 'flowOperator', type: 'address', indexed: true },
      { name: 'permissions', type: 'uint8', indexed: false },
      { name: 'flowRateAllowance', type: 'int96', indexed: false },
    ],
  },
] as const;

/** Where the protocol keeps its per-token settings (SuperfluidGovernanceBase). */
export const governanceAbi = [
  {
    type: 'function',
    name: 'getPPPConfig',
    stateMutability: 'view',
    inputs: [
      { name: 'host', type: 'address' },
      { name: 'superToken', type: 'address' },
    ],
    outputs: [
      { name: 'liquidationPeriod', type: 'uint256' },
      { name: 'patricianPeriod', type: 'uint256' },
    ],
  },
  {
    type: 'function',
    name: 'getSuperTokenMinimumDeposit',
    stateMutability: 'view',
    inputs: [
      { name: 'host', type: 'address' },
      { name: 'superToken', type: 'address' },
    ],
    outputs: [{ name: 'value', type: 'uint256' }],
  },
] as const;

/** A super token's balance and solvency at a given second (ISuperfluidToken). */
export const superTokenSolvencyAbi = [
  {
    type: 'function',
    name: 'realtimeBalanceOf',
    stateMutability: 'view',
    inputs: [
      { name: 'account', type: 'address' },
      { name: 'timestamp', type: 'uint256' },
    ],
    outputs: [
      { name: 'availableBalance', type: 'int256' },
      { name: 'deposit', type: 'uint256' },
      { name: 'owedDeposit', type: 'uint256' },
    ],
  },
  {
    type: 'function',
    name: 'isAccountCritical',
    stateMutability: 'view',
    inputs: [
      { name: 'account', type: 'address' },
      { name: 'timestamp', type: 'uint256' },
    ],
    outputs: [{ name: 'isCritical', type: 'bool' }],
  },
  {
    type: 'function',
    name: 'isAccountSolvent',
    stateMutability: 'view',
    inputs: [
      { name: 'account', type: 'address' },
      { name: 'timestamp', type: 'uint256' },
    ],
    outputs: [{ name: 'isSolvent', type: 'bool' }],
  },
] as const;
