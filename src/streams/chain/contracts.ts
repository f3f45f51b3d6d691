import { type Address, getAddress, keccak256, toBytes } from 'viem';
import type { ChainDeployment, TokenSymbol } from '../../chain/deployment';
import { hostAbi, superTokenAbi } from '../../chain/superfluid/abi';
import { AppError } from '../../core/errors';
import type { StreamPublicClient } from './call';

/** The contracts one stream touches: the framework's, the super token it flows in and the token that super token wraps. */
export interface StreamContracts {
  host: Address;
  /** The constant flow agreement (CFAv1) the host calls; the flows' state and events live here. */
  cfa: Address;
  governance: Address;
  superToken: Address;
  underlying: Address;
  underlyingDecimals: number;
}

/** Superfluid's agreement type id for CFAv1 (ConstantFlowAgreementV1.agreementType()). */
export const CFA_V1_TYPE = keccak256(toBytes('org.superfluid-finance.agreements.ConstantFlowAgreement.v1'));

/**
 * Reads the agreement and governance from the host rather than from the deployment record: a
 * configured chain records only the host and the forwarder, and the host is what decides.
 */
export async function resolveStreamContracts(
  publicClient: StreamPublicClient,
  deployment: ChainDeployment,
  symbol: Extract<TokenSymbol, 'USDCx' | 'DAIx'>,
): Promise<StreamContracts> {
  const token = deployment.tokens[symbol];
  if (!deployment.superfluid || !token) {
    throw new AppError('unavailable', `the chain has no Superfluid ${symbol} configured`, { token: symbol });
  }
  const { host } = deployment.superfluid;
  const superToken = token.address;
  const [cfa, governance, underlying, underlyingDecimals] = await Promise.all([
    publicClient.readContract({
      address: host,
      abi: hostAbi,
      functionName: 'getAgreementClass',
      args: [CFA_V1_TYPE],
    }),
    publicClient.readContract({ address: host, abi: hostAbi, functionName: 'getGovernance' }),
    publicClient.readContract({
      address: superToken,
      abi: superTokenAbi,
      functionName: 'getUnderlyingToken',
    }),
    publicClient.readContract({
      address: superToken,
      abi: superTokenAbi,
      functionName: 'getUnderlyingDecimals',
    }),
  ]);
  return {
    host,
    cfa: getAddress(cfa),
    governance: getAddress(governance),
    superToken,
    underlying: getAddress(underlying),
    underlyingDecimals,
  };
}
