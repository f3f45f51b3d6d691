import {
  type Account,
  type Address,
  type Chain,
  concat,
  getAddress,
  getContractAddress,
  type Hash,
  type Hex,
  isAddressEqual,
  type PublicClient,
  parseEventLogs,
  recoverTransactionAddress,
  size,
  type TransactionReceipt,
  type TransactionSerializedLegacy,
  type Transport,
  type WalletClient,
} from 'viem';
import { frameworkDeployerAbi, superTokenFactoryAbi } from './abi';
import {
  type ContractArtifact,
  type SuperfluidArtifacts,
  type SuperfluidContractName,
  superfluidContractNames,
} from './artifacts';

/**
 * Deploys the whole Superfluid framework on a development chain, as the package's own
 * SuperfluidFrameworkDeployer does in Superfluid's tests: its external libraries first, linked into
 * the deployer's bytecode, then the deployer's steps one transaction each.
 */

type Clients = {
  publicClient: PublicClient<Transport, Chain>;
  /** Pays for the deployment; the framework's governance ends up owned by the framework deployer contract. */
  walletClient: WalletClient<Transport, Chain, Account>;
};

export type DeploySuperfluidParameters = Clients & { artifacts: SuperfluidArtifacts };

/** Every address SuperfluidFrameworkDeployer.getFramework() reports, plus the deployer and the ERC-1820 registry. */
export type SuperfluidFramework = {
  governance: Address;
  host: Address;
  cfaV1: Address;
  idaV1: Address;
  gdaV1: Address;
  superTokenFactory: Address;
  superTokenLogic: Address;
  resolver: Address;
  superfluidLoader: Address;
  cfaV1Forwarder: Address;
  gdaV1Forwarder: Address;
  macroForwarder: Address;
  clearMacroForwarderV1WithPermit2: Address;
  batchLiquidator: Address;
  toga: Address;
  frameworkDeployer: Address;
  erc1820Registry: Address;
};

/** EIP-1820 §Deployment: the registry's one address on every chain, made by a keyless presigned transaction. */
export const ERC1820_REGISTRY_ADDRESS: Address = '0x1820a4B7618BdE71Dce8cdc73aAB6C95905faD24';
const erc1820Sender: Address = '0xa990077c3205cbDf861e17Fa532eeB069cE9fF96';
/** EIP-1820 §Deployment: gas limit 800 000 at 100 gwei, which the sender must hold. */
const erc1820DeploymentCost = 800_000n * 100_000_000_000n;
const erc1820CodeSize = 0x9e5;
/** EIP-1820 §Deployment: the signed legacy transaction around the creation code (nonce 0, no chain id). */
const erc1820TransactionHead: Hex = '0xf90a388085174876e800830c35008080b909e5';
const erc1820TransactionTail: Hex = `0x1ba0${'1820'.repeat(16)}a0${'1820'.repeat(16)}`;

/** ISuperTokenFactory.Upgradability: the token's logic follows the factory's only when its admin says so. */
const SEMI_UPGRADABLE = 1;

export async function deploySuperfluid({
  publicClient,
  walletClient,
  artifacts,
}: DeploySuperfluidParameters): Promise<SuperfluidFramework> {
  await ensureErc1820Registry({ publicClient, walletClient }, artifacts.erc1820RegistryBytecode);
  const frameworkDeployer = await deployLinked({ publicClient, walletClient }, artifacts.contracts);
  const steps = await publicClient.readContract({
    address: frameworkDeployer,
    abi: frameworkDeployerAbi,
    functionName: 'getNumSteps',
  });
  // Each step reads what the previous one stored, so they cannot be pipelined.
  for (let step = 0; step < steps; step++) {
    const hash = await walletClient.writeContract({
      address: frameworkDeployer,
      abi: frameworkDeployerAbi,
      functionName: 'executeStep',
      args: [step],
    });
    await waitForSuccess(publicClient, hash, `Superfluid framework deployment step ${step}`);
  }
  const { cfa, ida, gda, ...framework } = await publicClient.readContract({
    address: frameworkDeployer,
    abi: frameworkDeployerAbi,
    functionName: 'getFramework',
  });
  return {
    ...framework,
    cfaV1: cfa,
    idaV1: ida,
    gdaV1: gda,
    frameworkDeployer,
    erc1820Registry: ERC1820_REGISTRY_ADDRESS,
  };
}

export type CreateWrapperSuperTokenParameters = Clients & {
  superTokenFactory: Address;
  underlying: Address;
  underlyingDecimals: number;
  name: string;
  symbol: string;
};

/** A new ERC-20 wrapper super token (e.g. USDCx over USDC); it holds the underlying that is upgraded into it. */
export async function createWrapperSuperToken({
  publicClient,
  walletClient,
  superTokenFactory,
  underlying,
  underlyingDecimals,
  name,
  symbol,
}: CreateWrapperSuperTokenParameters): Promise<Address> {
  const hash = await walletClient.writeContract({
    address: superTokenFactory,
    abi: superTokenFactoryAbi,
    functionName: 'createERC20Wrapper',
    args: [underlying, underlyingDecimals, SEMI_UPGRADABLE, name, symbol],
  });
  const receipt = await waitForSuccess(publicClient, hash, `creating the ${symbol} super token`);
  const created = parseEventLogs({
    abi: superTokenFactoryAbi,
    eventName: 'SuperTokenCreated',
    logs: receipt.logs.filter((log) => isAddressEqual(log.address, superTokenFactory)),
  });
  if (created.length !== 1)
    throw new Error(`creating the ${symbol} super token emitted ${created.length} SuperTokenCreated events`);
  return getAddress(created[0]!.args.token);
}

/**
 * The framework assumes the registry (super tokens register their ERC-777 interfaces in it). Its
 * presigned transaction only works from a fresh sender, which a fresh chain has but cannot pay for.
 */
async function ensureErc1820Registry(
  { publicClient, walletClient }: Clients,
  creationCode: Hex,
): Promise<void> {
  const code = await publicClient.getCode({ address: ERC1820_REGISTRY_ADDRESS });
  if (code && code !== '0x') return;
  if (size(creationCode) !== erc1820CodeSize)
    throw new Error(
      `the ERC-1820 creation code is ${size(creationCode)} bytes, EIP-1820 says ${erc1820CodeSize}`,
    );
  const serializedTransaction = concat([
    erc1820TransactionHead,
    creationCode,
    erc1820TransactionTail,
  ]) as TransactionSerializedLegacy;
  // Other creation code would recover to another sender, which we would fund for nothing.
  const signer = await recoverTransactionAddress({ serializedTransaction });
  if (!isAddressEqual(signer, erc1820Sender))
    throw new Error(`the ERC-1820 deployment is signed by ${signer}, not by EIP-1820's ${erc1820Sender}`);
  const nonce = await publicClient.getTransactionCount({ address: erc1820Sender });
  if (nonce !== 0)
    throw new Error(
      `the ERC-1820 sender ${erc1820Sender} has sent transactions here, so the registry can't be made`,
    );
  const balance = await publicClient.getBalance({ address: erc1820Sender });
  if (balance < erc1820DeploymentCost) {
    const hash = await walletClient.sendTransaction({
      to: erc1820Sender,
      value: erc1820DeploymentCost - balance,
    });
    await waitForSuccess(publicClient, hash, 'funding the ERC-1820 sender');
  }
  const hash = await publicClient.sendRawTransaction({ serializedTransaction });
  const receipt = await waitForSuccess(publicClient, hash, 'deploying the ERC-1820 registry');
  if (!receipt.contractAddress || !isAddressEqual(receipt.contractAddress, ERC1820_REGISTRY_ADDRESS))
    throw new Error(
      `the ERC-1820 registry landed at ${receipt.contractAddress}, not ${ERC1820_REGISTRY_ADDRESS}`,
    );
}

/**
 * Deploys the framework deployer after every library it links, each library after its own. The
 * addresses follow from the account's nonces, so the transactions go out without waiting for one
 * another and their receipts are checked together.
 */
async function deployLinked(
  { publicClient, walletClient }: Clients,
  contracts: Record<SuperfluidContractName, ContractArtifact>,
): Promise<Address> {
  const from = walletClient.account.address;
  let nonce = await publicClient.getTransactionCount({ address: from, blockTag: 'pending' });
  const addresses = new Map<string, Address>();
  const sent: { name: string; hash: Hash; address: Address }[] = [];

  const deploy = async (name: SuperfluidContractName): Promise<Address> => {
    const known = addresses.get(name);
    if (known) return known;
    const artifact = contracts[name];
    for (const library of linkedLibraries(artifact)) {
      if (!isContractName(library))
        throw new Error(`${name} links ${library}, which is not among the artifacts`);
      await deploy(library);
    }
    const address = getContractAddress({ from, nonce: BigInt(nonce) });
    const hash = await walletClient.deployContract({
      abi: artifact.abi,
      bytecode: linkBytecode(name, artifact, addresses),
      nonce: nonce++,
    });
    addresses.set(name, address);
    sent.push({ name, hash, address });
    return address;
  };

  const frameworkDeployer = await deploy('SuperfluidFrameworkDeployer');
  await Promise.all(
    sent.map(async ({ name, hash, address }) => {
      const receipt = await waitForSuccess(publicClient, hash, `deploying ${name}`);
      if (!receipt.contractAddress || !isAddressEqual(receipt.contractAddress, address))
        throw new Error(`${name} landed at ${receipt.contractAddress}, not at ${address} as its nonce said`);
    }),
  );
  return frameworkDeployer;
}

function linkedLibraries(artifact: ContractArtifact): string[] {
  return Object.values(artifact.linkReferences).flatMap((libraries) => Object.keys(libraries));
}

function isContractName(name: string): name is SuperfluidContractName {
  return (superfluidContractNames as string[]).includes(name);
}

/** Writes each library's address over its placeholder, at the byte offsets the compiler recorded. */
function linkBytecode(name: string, artifact: ContractArtifact, addresses: Map<string, Address>): Hex {
  let code = artifact.bytecode.slice(2);
  for (const libraries of Object.values(artifact.linkReferences)) {
    for (const [library, places] of Object.entries(libraries)) {
      const address = addresses.get(library);
      if (!address) throw new Error(`${name} needs ${library} deployed first`);
      for (const { start, length } of places) {
        if (length !== 20)
          throw new Error(`${name} reserves ${length} bytes for ${library}, not an address's 20`);
        const at = start * 2;
        if (!code.startsWith('__$', at))
          throw new Error(`${name} has no placeholder for ${library} at byte ${start}`);
        code = code.slice(0, at) + address.slice(2).toLowerCase() + code.slice(at + length * 2);
      }
    }
  }
  if (code.includes('__$')) throw new Error(`${name} still has unlinked libraries after linking`);
  return `0x${code}`;
}

async function waitForSuccess(
  publicClient: PublicClient<Transport, Chain>,
  hash: Hash,
  what: string,
): Promise<TransactionReceipt> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new Error(`${what} reverted (transaction ${hash})`);
  return receipt;
}
