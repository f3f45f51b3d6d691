import type { Address } from 'viem';
import { cfaV1Abi, governanceAbi, superTokenSolvencyAbi } from '../../chain/superfluid/abi';
import { AppError } from '../../core/errors';
import type { StreamPublicClient } from './call';
import type { StreamContracts } from './contracts';

/**
 * What a flow locks and how long a balance lasts, computed as the constant flow agreement computes
 * them (@superfluid-finance/ethereum-contracts 1.15.2, agreements/ConstantFlowAgreementV1.sol and
 * libs/SolvencyHelperLibrary.sol), so Tally can tell a subscriber what to wrap before anything is
 * sent, and when a flow must be closed.
 */

/** The governance's settings for one super token: seconds, and wei of the super token. */
export interface FlowTerms {
  /** How many seconds of the flow the buffer pays for once the sender's balance is gone. */
  liquidationPeriod: bigint;
  /** The first part of the liquidation period, in which only the protocol's reward account may close the flow. */
  patricianPeriod: bigint;
  minimumDeposit: bigint;
}

/** int96, the type of every flow rate in the protocol. */
const MAX_INT96 = 2n ** 95n - 1n;
/** CFAv1 keeps deposits with their lower 32 bits clipped to 0 (`_clipDepositNumberRoundingUp`). */
const DEPOSIT_UNIT = 2n ** 32n;

/**
 * Read from the governance the way the agreement reads it (`SolvencyHelperLibrary.decode3PsData`):
 * the token's own setting, else the host's default.
 */
export async function readFlowTerms(
  publicClient: StreamPublicClient,
  contracts: Pick<StreamContracts, 'governance' | 'host' | 'superToken'>,
): Promise<FlowTerms> {
  const args = [contracts.host, contracts.superToken] as const;
  const [[liquidationPeriod, patricianPeriod], minimumDeposit] = await Promise.all([
    publicClient.readContract({
      address: contracts.governance,
      abi: governanceAbi,
      functionName: 'getPPPConfig',
      args,
    }),
    publicClient.readContract({
      address: contracts.governance,
      abi: governanceAbi,
      functionName: 'getSuperTokenMinimumDeposit',
      args,
    }),
  ]);
  return { liquidationPeriod, patricianPeriod, minimumDeposit };
}

/** Refuses what the agreement would revert on: a rate that is not positive, or whose buffer overflows int96. */
export function checkFlowRate(flowRate: bigint, terms: FlowTerms): void {
  if (flowRate <= 0n || flowRate > MAX_INT96) {
    throw new AppError('validation_failed', 'the flow rate must be a positive int96 of wei per second', {
      field: 'flowRate',
      flowRate: flowRate.toString(),
    });
  }
  // CFAv1 `_getDepositRequiredForFlowRatePure`: CFA_FLOW_RATE_TOO_BIG.
  if (flowRate * terms.liquidationPeriod > MAX_INT96) {
    throw new AppError(
      'validation_failed',
      'the flow rate is too high: its buffer does not fit in an int96',
      {
        field: 'flowRate',
        flowRate: flowRate.toString(),
      },
    );
  }
}

/**
 * The deposit (buffer) the agreement locks from the sender for one flow: flow rate × liquidation
 * period rounded up to a multiple of 2³² wei (`_calculateDeposit`), and never below the token's
 * minimum deposit (`_changeFlow`, step 2).
 */
export function bufferFor(flowRate: bigint, terms: FlowTerms): bigint {
  checkFlowRate(flowRate, terms);
  const clipped = ceilDiv(flowRate * terms.liquidationPeriod, DEPOSIT_UNIT) * DEPOSIT_UNIT;
  return clipped > terms.minimumDeposit ? clipped : terms.minimumDeposit;
}

/** What a subscriber must hold in the super token to start a flow that runs `seconds` before it turns critical. */
export function amountToStream(flowRate: bigint, terms: FlowTerms, seconds: bigint): bigint {
  if (seconds < 0n)
    throw new AppError('validation_failed', 'seconds must not be negative', { field: 'seconds' });
  return bufferFor(flowRate, terms) + flowRate * seconds;
}

/** One account's super-token position at one second, as `realtimeBalanceOf` and `getNetFlow` give it. */
export interface StreamPosition {
  timestamp: bigint;
  /** The balance minus the deposits it has locked (may be negative once critical). */
  availableBalance: bigint;
  deposit: bigint;
  owedDeposit: bigint;
  /** Wei per second in minus out; negative for a net sender. */
  netFlowRate: bigint;
}

/** When a position runs out, in block timestamps; null for never. */
export interface RunOut {
  /** Whole seconds from `position.timestamp` that the available balance still covers. */
  lastsSeconds: bigint | null;
  /** The first second the account is critical (available balance below zero: anyone may close its flows). */
  criticalAt: bigint | null;
  /** The first second the buffer too is spent (`isAccountSolvent` false: a liquidation is a bail-out). */
  insolventAt: bigint | null;
}

/**
 * Seconds until a balance falling at a constant rate drops below zero, and that second:
 * `SuperfluidToken.isAccountCritical` is `availableBalance < 0`, and the balance moves by the net
 * flow rate every second, so a balance B at t₀ falling by r is still ≥ 0 at t₀ + ⌊B / r⌋ and
 * negative one second later.
 */
export function runOutOf(position: StreamPosition): RunOut {
  const { availableBalance, netFlowRate, timestamp } = position;
  const lockedDeposit =
    position.deposit > position.owedDeposit ? position.deposit - position.owedDeposit : 0n;
  const firstNegativeSecond = (balance: bigint): bigint | null => {
    if (balance < 0n) return timestamp;
    if (netFlowRate >= 0n) return null;
    return timestamp + balance / -netFlowRate + 1n;
  };
  const criticalAt = firstNegativeSecond(availableBalance);
  return {
    lastsSeconds: criticalAt === null ? null : criticalAt > timestamp ? criticalAt - timestamp - 1n : 0n,
    criticalAt,
    insolventAt: firstNegativeSecond(availableBalance + lockedDeposit),
  };
}

/** The account's position at the latest block, read in that one block so balance and rate agree. */
export async function readStreamPosition(
  publicClient: StreamPublicClient,
  contracts: Pick<StreamContracts, 'cfa' | 'superToken'>,
  account: Address,
): Promise<StreamPosition> {
  const block = await publicClient.getBlock();
  const [[availableBalance, deposit, owedDeposit], netFlowRate] = await Promise.all([
    publicClient.readContract({
      address: contracts.superToken,
      abi: superTokenSolvencyAbi,
      functionName: 'realtimeBalanceOf',
      args: [account, block.timestamp],
      blockNumber: block.number,
    }),
    publicClient.readContract({
      address: contracts.cfa,
      abi: cfaV1Abi,
      functionName: 'getNetFlow',
      args: [contracts.superToken, account],
      blockNumber: block.number,
    }),
  ]);
  return { timestamp: block.timestamp, availableBalance, deposit, owedDeposit, netFlowRate };
}

/** One account to read, in the contracts of its super token. */
export interface PositionQuery {
  contracts: Pick<StreamContracts, 'cfa' | 'superToken'>;
  account: Address;
}

/** Many accounts' positions, all at one block; null where that account's read failed. */
export interface StreamPositions {
  blockNumber: bigint;
  timestamp: bigint;
  positions: (StreamPosition | null)[];
}

export interface ReadPositionsOptions {
  /** Accounts per `eth_call` (two calls each): what the node's eth_call gas cap allows. */
  accountsPerCall?: number;
  /** `eth_call`s in flight at once. */
  parallelCalls?: number;
}

/**
 * Every account's position at the latest block in `1 + ⌈n / accountsPerCall⌉` round trips: the
 * block, then Multicall3's `aggregate3` over `realtimeBalanceOf` and `getNetFlow`, pinned to that
 * block so every balance and rate agree. The multicall runs deployless (an `eth_call` of its
 * creation code, viem's `deployless`), so it works on a chain without Multicall3 — the embedded
 * one has none — and on every configured chain alike. A call or a whole `eth_call` that fails
 * leaves that account null: the caller reads it again next time, and never acts on a guess.
 */
export async function readStreamPositions(
  publicClient: StreamPublicClient,
  queries: readonly PositionQuery[],
  options: ReadPositionsOptions = {},
): Promise<StreamPositions> {
  const accountsPerCall = options.accountsPerCall ?? 250;
  const parallelCalls = options.parallelCalls ?? 4;
  const block = await publicClient.getBlock();
  const positions: (StreamPosition | null)[] = new Array(queries.length).fill(null);
  const chunks: number[] = [];
  for (let start = 0; start < queries.length; start += accountsPerCall) chunks.push(start);
  const readChunk = async (start: number) => {
    const slice = queries.slice(start, start + accountsPerCall);
    const results = await publicClient.multicall({
      deployless: true,
      // One eth_call per chunk: viem's own chunking counts calldata bytes, not gas.
      batchSize: 0,
      blockNumber: block.number,
      contracts: slice.flatMap(({ contracts, account }) => [
        {
          address: contracts.superToken,
          abi: superTokenSolvencyAbi,
          functionName: 'realtimeBalanceOf',
          args: [account, block.timestamp],
        } as const,
        {
          address: contracts.cfa,
          abi: cfaV1Abi,
          functionName: 'getNetFlow',
          args: [contracts.superToken, account],
        } as const,
      ]),
    });
    slice.forEach((_, offset) => {
      const balance = results[2 * offset];
      const rate = results[2 * offset + 1];
      if (balance?.status !== 'success' || rate?.status !== 'success') return;
      const [availableBalance, deposit, owedDeposit] = balance.result as readonly [bigint, bigint, bigint];
      positions[start + offset] = {
        timestamp: block.timestamp,
        availableBalance,
        deposit,
        owedDeposit,
        netFlowRate: rate.result as bigint,
      };
    });
  };
  for (let next = 0; next < chunks.length; next += parallelCalls) {
    // A refused or lost eth_call leaves its accounts null; the others stand.
    await Promise.allSettled(chunks.slice(next, next + parallelCalls).map(readChunk));
  }
  return { blockNumber: block.number, timestamp: block.timestamp, positions };
}

function ceilDiv(numerator: bigint, denominator: bigint): bigint {
  return (numerator + denominator - 1n) / denominator;
}
