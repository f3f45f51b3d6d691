import fs from 'node:fs';
import path from 'node:path';
import {
  type Account,
  type Address,
  type Chain,
  erc20Abi,
  getAddress,
  type Transport,
  type WalletClient,
} from 'viem';
import { z } from 'zod';
import { writeFileAtomically } from '../core/secret-file';
import type { ChainClient } from './client';
import * as TestDAI from './contracts/TestDAI';
import * as TestUSDC from './contracts/TestUSDC';

/**
 * Where Tally's tokens and the Superfluid framework live on the chain it runs on: deployed by Tally
 * on the embedded chain (and remembered in a file beside the chain's state), configured elsewhere.
 */

export const tokenSymbols = ['USDC', 'DAI', 'USDCx', 'DAIx'] as const;
export type TokenSymbol = (typeof tokenSymbols)[number];

export interface TokenInfo {
  symbol: TokenSymbol;
  name: string;
  address: Address;
  decimals: number;
  /** For a Superfluid wrapper super token: the token it wraps. */
  underlying?: TokenSymbol;
}

export interface SuperfluidAddresses {
  host: Address;
  cfaV1Forwarder: Address;
  [contract: string]: Address;
}

/** The gateway's encrypted credits (contracts/encrypted/) and the verifiers it checks proofs with. */
export interface EncryptedCreditsAddresses {
  contract: Address;
  transferVerifier: Address;
  withdrawVerifier: Address;
}

export interface ChainDeployment {
  chainId: number;
  tokens: Partial<Record<TokenSymbol, TokenInfo>> & { USDC: TokenInfo };
  superfluid?: SuperfluidAddresses;
  encryptedCredits?: EncryptedCreditsAddresses;
}

const addressSchema = z.string().transform((value, context) => {
  try {
    return getAddress(value);
  } catch {
    context.addIssue({ code: 'custom', message: `not an address: ${value}` });
    return z.NEVER;
  }
});

const tokenSchema = z.object({
  symbol: z.enum(tokenSymbols),
  name: z.string(),
  address: addressSchema,
  decimals: z.number().int().min(0).max(36),
  underlying: z.enum(tokenSymbols).optional(),
});

const deploymentSchema = z.object({
  chainId: z.number().int().positive(),
  tokens: z
    .object({
      USDC: tokenSchema,
      DAI: tokenSchema.optional(),
      USDCx: tokenSchema.optional(),
      DAIx: tokenSchema.optional(),
    })
    .strict(),
  superfluid: z
    .object({ host: addressSchema, cfaV1Forwarder: addressSchema })
    .catchall(addressSchema)
    .optional(),
  encryptedCredits: z
    .object({ contract: addressSchema, transferVerifier: addressSchema, withdrawVerifier: addressSchema })
    .optional(),
});

/** The remembered deployment of the embedded chain, or undefined when there is none (or it is unreadable). */
export function readDeploymentFile(file: string): ChainDeployment | undefined {
  if (!fs.existsSync(file)) return undefined;
  const parsed = deploymentSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : undefined;
}

export function writeDeploymentFile(file: string, deployment: ChainDeployment): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomically(file, `${JSON.stringify(deployment, null, 2)}\n`);
}

/** True when every contract of the deployment has code on the chain (a chain reset wipes them). */
export async function deploymentIsLive(client: ChainClient, deployment: ChainDeployment): Promise<boolean> {
  if (deployment.chainId !== client.chainId) return false;
  const addresses = [
    ...Object.values(deployment.tokens).map((token) => token.address),
    ...Object.values(deployment.superfluid ?? {}),
    ...Object.values(deployment.encryptedCredits ?? {}),
  ];
  const codes = await Promise.all(addresses.map((address) => client.publicClient.getCode({ address })));
  return codes.every((code) => code !== undefined && code !== '0x');
}

/** Reads a configured token's name and decimals from the chain, failing clearly when nothing is there. */
export async function describeToken(
  client: ChainClient,
  symbol: TokenSymbol,
  address: Address,
  underlying?: TokenSymbol,
): Promise<TokenInfo> {
  const code = await client.publicClient.getCode({ address });
  if (!code || code === '0x') {
    throw new Error(`${symbol} address ${address} has no contract on chain ${client.chainId}`);
  }
  const [name, decimals] = await Promise.all([
    client.publicClient.readContract({ address, abi: erc20Abi, functionName: 'name' }),
    client.publicClient.readContract({ address, abi: erc20Abi, functionName: 'decimals' }),
  ]);
  return { symbol, name, address: getAddress(address), decimals, ...(underlying ? { underlying } : {}) };
}

type Deployer = WalletClient<Transport, Chain, Account>;

/** Deploys a contract and waits for it: the next deployment may depend on it. */
export async function deployContract(
  client: ChainClient,
  deployer: Deployer,
  contract: { abi: readonly unknown[]; bytecode: `0x${string}` },
  args: readonly unknown[],
): Promise<Address> {
  const hash = await deployer.deployContract({
    abi: contract.abi,
    bytecode: contract.bytecode,
    args,
  } as Parameters<Deployer['deployContract']>[0]);
  const receipt = await client.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success' || !receipt.contractAddress) throw new Error('contract deployment failed');
  return getAddress(receipt.contractAddress);
}

/** Tally's test tokens, owned by the treasury so its faucet can mint them. */
export async function deployTestTokens(
  client: ChainClient,
  treasury: Deployer,
): Promise<{ USDC: TokenInfo; DAI: TokenInfo }> {
  const owner = treasury.account.address;
  const usdc = await deployContract(client, treasury, TestUSDC, [owner]);
  const dai = await deployContract(client, treasury, TestDAI, [owner]);
  return {
    USDC: { symbol: 'USDC', name: 'USD Coin', address: usdc, decimals: 6 },
    DAI: { symbol: 'DAI', name: 'Dai Stablecoin', address: dai, decimals: 18 },
  };
}
