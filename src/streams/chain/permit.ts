import {
  type Address,
  domainSeparator,
  encodeFunctionData,
  type Hex,
  isAddressEqual,
  keccak256,
  parseSignature,
  toBytes,
} from 'viem';
import type { ChainCall, StreamPublicClient } from './call';

/**
 * EIP-2612 permits: an approval the owner signs instead of sending, so that a checkout's approve
 * costs a signature and rides in the transaction that spends it. Only tokens whose permit is
 * EIP-2612's are used: mainnet DAI's older permit (holder, nonce, expiry, allowed) signs another
 * struct, and is told apart by its PERMIT_TYPEHASH.
 */

export const permitAbi = [
  {
    type: 'function',
    name: 'permit',
    stateMutability: 'nonpayable',
    inputs: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
      { name: 'v', type: 'uint8' },
      { name: 'r', type: 'bytes32' },
      { name: 's', type: 'bytes32' },
    ],
    outputs: [],
  },
  {
    type: 'function',
    name: 'nonces',
    stateMutability: 'view',
    inputs: [{ name: 'owner', type: 'address' }],
    outputs: [{ name: '', type: 'uint256' }],
  },
  {
    type: 'function',
    name: 'DOMAIN_SEPARATOR',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'PERMIT_TYPEHASH',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'bytes32' }],
  },
  {
    type: 'function',
    name: 'eip712Domain',
    stateMutability: 'view',
    inputs: [],
    outputs: [
      { name: 'fields', type: 'bytes1' },
      { name: 'name', type: 'string' },
      { name: 'version', type: 'string' },
      { name: 'chainId', type: 'uint256' },
      { name: 'verifyingContract', type: 'address' },
      { name: 'salt', type: 'bytes32' },
      { name: 'extensions', type: 'uint256[]' },
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
    name: 'version',
    stateMutability: 'view',
    inputs: [],
    outputs: [{ name: '', type: 'string' }],
  },
] as const;

const EIP2612_PERMIT_TYPEHASH = keccak256(
  toBytes('Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)'),
);

export const permitTypes = {
  Permit: [
    { name: 'owner', type: 'address' },
    { name: 'spender', type: 'address' },
    { name: 'value', type: 'uint256' },
    { name: 'nonce', type: 'uint256' },
    { name: 'deadline', type: 'uint256' },
  ],
} as const;

export interface PermitDomain {
  name: string;
  version: string;
  chainId: number;
  verifyingContract: Address;
}

/** What the owner's wallet signs (`signTypedData`), as it is passed to the wallet. */
export interface PermitRequest {
  domain: PermitDomain;
  types: typeof permitTypes;
  primaryType: 'Permit';
  message: { owner: Address; spender: Address; value: bigint; nonce: bigint; deadline: bigint };
}

/**
 * The token's EIP-712 domain when it takes EIP-2612 permits, else null. A domain is trusted only
 * when it hashes to the token's own DOMAIN_SEPARATOR: a wrong name or version would give a
 * signature the token refuses, after the wallet was already asked.
 */
export async function readPermitDomain(
  publicClient: StreamPublicClient,
  token: Address,
): Promise<PermitDomain | null> {
  const read = <T>(functionName: 'DOMAIN_SEPARATOR' | 'PERMIT_TYPEHASH' | 'name' | 'version') =>
    publicClient
      .readContract({ address: token, abi: permitAbi, functionName })
      .then((value) => value as T)
      .catch(() => undefined);
  const [separator, typehash, name, version, eip712Domain, nonce] = await Promise.all([
    read<Hex>('DOMAIN_SEPARATOR'),
    read<Hex>('PERMIT_TYPEHASH'),
    read<string>('name'),
    read<string>('version'),
    publicClient
      .readContract({ address: token, abi: permitAbi, functionName: 'eip712Domain' })
      .catch(() => undefined),
    publicClient
      .readContract({ address: token, abi: permitAbi, functionName: 'nonces', args: [token] })
      .catch(() => undefined),
  ]);
  if (separator === undefined || nonce === undefined || name === undefined) return null;
  if (typehash !== undefined && typehash !== EIP2612_PERMIT_TYPEHASH) return null;
  const chainId = await publicClient.getChainId();
  const candidates: PermitDomain[] = [];
  // EIP-5267 names the domain outright; tokens without it (USDC) give name() and version(), and
  // OpenZeppelin's ERC20Permit before EIP-5267 used version "1".
  if (eip712Domain && isAddressEqual(eip712Domain[4], token)) {
    candidates.push({ name: eip712Domain[1], version: eip712Domain[2], chainId, verifyingContract: token });
  }
  for (const candidate of [version, '1']) {
    if (candidate !== undefined)
      candidates.push({ name, version: candidate, chainId, verifyingContract: token });
  }
  return candidates.find((domain) => domainSeparator({ domain }) === separator) ?? null;
}

/** A permit of `value` for `spender`, valid until `deadline` (a block timestamp), with the owner's next nonce. */
export async function permitRequest(
  publicClient: StreamPublicClient,
  domain: PermitDomain,
  terms: { owner: Address; spender: Address; value: bigint; deadline: bigint },
): Promise<PermitRequest> {
  const nonce = await publicClient.readContract({
    address: domain.verifyingContract,
    abi: permitAbi,
    functionName: 'nonces',
    args: [terms.owner],
  });
  return { domain, types: permitTypes, primaryType: 'Permit', message: { ...terms, nonce } };
}

/** The token's `permit` with the owner's signature: anyone may send it, the signature is the authority. */
export function permitCall(request: PermitRequest, signature: Hex): ChainCall {
  const { r, s, v, yParity } = parseSignature(signature);
  const { owner, spender, value, deadline } = request.message;
  return {
    to: request.domain.verifyingContract,
    data: encodeFunctionData({
      abi: permitAbi,
      functionName: 'permit',
      args: [owner, spender, value, deadline, Number(v ?? BigInt(yParity + 27)), r, s],
    }),
  };
}
