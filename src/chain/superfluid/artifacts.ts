import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Abi, Hex } from 'viem';
import { z } from 'zod';

/**
 * The compiled Superfluid framework, taken from the npm package's Hardhat artifacts. The package
 * installs hundreds of megabytes of dependencies, so it is not one of ours: its tarball is packed
 * once, checked against a pinned integrity, and the few artifacts the deployer needs are kept in a
 * cache folder.
 */

export const SUPERFLUID_PACKAGE = '@superfluid-finance/ethereum-contracts@1.15.2';

/** `npm view @superfluid-finance/ethereum-contracts@1.15.2 dist.integrity`: any other tarball is refused. */
export const SUPERFLUID_PACKAGE_INTEGRITY =
  'sha512-pvNZvjR72VNdVsUyk0AEsyU8nhk3ClFI9IDfpDVgHaeupugUzrtrsWAwr8s9iAbNgC7uS4e3/kz1Afd+aK5H7Q==';

const deploymentSteps = 'contracts/utils/SuperfluidFrameworkDeploymentSteps.t.sol';

/** The framework deployer and every library it links, directly or through another library. */
const artifactPaths = {
  SuperfluidFrameworkDeployer:
    'contracts/utils/SuperfluidFrameworkDeployer.t.sol/SuperfluidFrameworkDeployer.json',
  SlotsBitmapLibrary: 'contracts/libs/SlotsBitmapLibrary.sol/SlotsBitmapLibrary.json',
  SuperfluidPoolDeployerLibrary:
    'contracts/agreements/gdav1/SuperfluidPoolDeployerLibrary.sol/SuperfluidPoolDeployerLibrary.json',
  CFAv1ForwarderDeployerLibrary: `${deploymentSteps}/CFAv1ForwarderDeployerLibrary.json`,
  GDAv1ForwarderDeployerLibrary: `${deploymentSteps}/GDAv1ForwarderDeployerLibrary.json`,
  ProxyDeployerLibrary: `${deploymentSteps}/ProxyDeployerLibrary.json`,
  SuperTokenDeployerLibrary: `${deploymentSteps}/SuperTokenDeployerLibrary.json`,
  SuperTokenFactoryDeployerLibrary: `${deploymentSteps}/SuperTokenFactoryDeployerLibrary.json`,
  SuperfluidCFAv1DeployerLibrary: `${deploymentSteps}/SuperfluidCFAv1DeployerLibrary.json`,
  SuperfluidGDAv1DeployerLibrary: `${deploymentSteps}/SuperfluidGDAv1DeployerLibrary.json`,
  SuperfluidGovDeployerLibrary: `${deploymentSteps}/SuperfluidGovDeployerLibrary.json`,
  SuperfluidHostDeployerLibrary: `${deploymentSteps}/SuperfluidHostDeployerLibrary.json`,
  SuperfluidIDAv1DeployerLibrary: `${deploymentSteps}/SuperfluidIDAv1DeployerLibrary.json`,
  SuperfluidPeripheryDeployerLibrary: `${deploymentSteps}/SuperfluidPeripheryDeployerLibrary.json`,
  SuperfluidPoolLogicDeployerLibrary: `${deploymentSteps}/SuperfluidPoolLogicDeployerLibrary.json`,
  SuperfluidPoolNFTLogicDeployerLibrary: `${deploymentSteps}/SuperfluidPoolNFTLogicDeployerLibrary.json`,
  TokenDeployerLibrary: `${deploymentSteps}/TokenDeployerLibrary.json`,
} as const;

export type SuperfluidContractName = keyof typeof artifactPaths;
export const superfluidContractNames = Object.keys(artifactPaths) as SuperfluidContractName[];

/** The ERC-1820 registry's creation code, from which its presigned deployment is built (EIP-1820). */
const erc1820Path = 'package/dev-scripts/artifacts/ERC1820Registry.json';
const erc1820CacheFile = 'ERC1820Registry.json';

/** Byte offsets in the bytecode where a library's address goes, by source file and library name. */
export type LinkReferences = Record<string, Record<string, { start: number; length: number }[]>>;

export interface ContractArtifact {
  abi: Abi;
  /** Creation code; unlinked while `linkReferences` names libraries. */
  bytecode: Hex;
  linkReferences: LinkReferences;
}

export interface SuperfluidArtifacts {
  contracts: Record<SuperfluidContractName, ContractArtifact>;
  erc1820RegistryBytecode: Hex;
}

/** Packs the package's tarball into `directory` and returns the tarball's path. */
export type PackTarball = (directory: string) => Promise<string>;

export interface LoadSuperfluidArtifactsOptions {
  /** Defaults to TALLY_SUPERFLUID_CACHE, then to node_modules/.cache/tally/superfluid-1.15.2 in the project. */
  cacheDir?: string;
  /** Defaults to `npm pack` from the registry. */
  packTarball?: PackTarball;
}

/** Hardhat artifacts keep unlinked library slots as `__$…$__` placeholders, not hex digits. */
const bytecodeSchema = z
  .string()
  .regex(/^0x([0-9a-fA-F]|__\$[0-9a-fA-F]{34}\$__)*$/, 'not creation code')
  .transform((value) => value as Hex);

const artifactSchema = z.object({
  abi: z.array(z.looseObject({ type: z.string() })).transform((abi) => abi as unknown as Abi),
  bytecode: bytecodeSchema,
  linkReferences: z.record(
    z.string(),
    z.record(
      z.string(),
      z.array(z.object({ start: z.number().int().nonnegative(), length: z.number().int().positive() })),
    ),
  ),
});

const erc1820ArtifactSchema = z.object({ bin: z.string().regex(/^[0-9a-fA-F]+$/) });
const erc1820CacheSchema = z.object({ bytecode: z.string().regex(/^0x[0-9a-fA-F]+$/) });

const cacheEnvSchema = z.string().min(1).optional();

const execFileAsync = promisify(execFile);

export async function loadSuperfluidArtifacts(
  options: LoadSuperfluidArtifactsOptions = {},
): Promise<SuperfluidArtifacts> {
  const cacheDir = path.resolve(
    options.cacheDir ?? cacheEnvSchema.parse(process.env.TALLY_SUPERFLUID_CACHE) ?? defaultCacheDir(),
  );
  if (!existsSync(cacheDir)) await fillCache(cacheDir, options.packTarball ?? packSuperfluidTarball);
  return readCache(cacheDir);
}

/** `npm pack` uses npm's own cache first, so once fetched the package is found again offline. */
export const packSuperfluidTarball: PackTarball = async (directory) => {
  const command = `npm pack ${SUPERFLUID_PACKAGE}`;
  let stdout: string;
  try {
    ({ stdout } = await execFileAsync('npm', ['pack', SUPERFLUID_PACKAGE, '--silent', '--prefer-offline'], {
      cwd: directory,
    }));
  } catch (error) {
    throw new Error(
      `Could not fetch the Superfluid contracts: "${command}" failed (${(error as Error).message.trim()}). ` +
        `Run "${command}" by hand to see npm's reason (network, proxy or registry settings); once it succeeds ` +
        'npm keeps the package in its cache and Tally finds it there.',
    );
  }
  const file = stdout.trim().split('\n').at(-1);
  if (!file) throw new Error(`"${command}" printed no tarball name`);
  return path.join(directory, file);
};

function defaultCacheDir(): string {
  return path.join(projectRoot(), 'node_modules', '.cache', 'tally', 'superfluid-1.15.2');
}

/** The nearest folder above this module with a package.json: the project, wherever it is checked out. */
function projectRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error('no package.json above the Superfluid artifacts module');
    directory = parent;
  }
  return directory;
}

/**
 * Builds the cache in a private folder beside it and renames that into place, so a reader never
 * sees a half-written cache; when several processes race, the first rename wins and the others
 * discard their copy.
 */
async function fillCache(cacheDir: string, packTarball: PackTarball): Promise<void> {
  await fs.mkdir(path.dirname(cacheDir), { recursive: true });
  const workDir = await fs.mkdtemp(path.join(os.tmpdir(), 'tally-superfluid-'));
  const stagingDir = `${cacheDir}.partial-${process.pid}-${randomUUID()}`;
  try {
    const tarball = await packTarball(workDir);
    await verifyIntegrity(tarball);
    await extractArtifacts(tarball, workDir);
    await fs.mkdir(stagingDir);
    await writeStrippedArtifacts(workDir, stagingDir);
    try {
      await fs.rename(stagingDir, cacheDir);
    } catch (error) {
      const lostTheRace = ['ENOTEMPTY', 'EEXIST', 'EPERM'].includes(
        (error as NodeJS.ErrnoException).code ?? '',
      );
      if (!lostTheRace || !existsSync(cacheDir)) throw error;
    }
  } finally {
    await fs.rm(workDir, { recursive: true, force: true });
    await fs.rm(stagingDir, { recursive: true, force: true });
  }
}

async function verifyIntegrity(tarball: string): Promise<void> {
  const integrity = `sha512-${createHash('sha512')
    .update(await fs.readFile(tarball))
    .digest('base64')}`;
  if (integrity !== SUPERFLUID_PACKAGE_INTEGRITY)
    throw new Error(
      `Refusing the ${SUPERFLUID_PACKAGE} tarball: its integrity is ${integrity}, ` +
        `not the pinned ${SUPERFLUID_PACKAGE_INTEGRITY}. The registry or npm's cache served other contents.`,
    );
}

async function extractArtifacts(tarball: string, workDir: string): Promise<void> {
  const members = [
    ...Object.values(artifactPaths).map((file) => `package/build/hardhat/${file}`),
    erc1820Path,
  ];
  try {
    await execFileAsync('tar', ['-xzf', tarball, '-C', workDir, ...members]);
  } catch (error) {
    throw new Error(
      `Could not extract the Superfluid artifacts from ${tarball}: ${(error as Error).message}`,
    );
  }
}

/** Keeps what deployment needs; the rest (deployed bytecode, source names) is not ours to carry. */
async function writeStrippedArtifacts(workDir: string, stagingDir: string): Promise<void> {
  for (const name of superfluidContractNames) {
    const source = path.join(workDir, 'package', 'build', 'hardhat', artifactPaths[name]);
    const { abi, bytecode, linkReferences } = artifactSchema.parse(await readJson(source));
    await fs.writeFile(
      path.join(stagingDir, `${name}.json`),
      JSON.stringify({ abi, bytecode, linkReferences }),
    );
  }
  const { bin } = erc1820ArtifactSchema.parse(await readJson(path.join(workDir, erc1820Path)));
  await fs.writeFile(path.join(stagingDir, erc1820CacheFile), JSON.stringify({ bytecode: `0x${bin}` }));
}

async function readCache(cacheDir: string): Promise<SuperfluidArtifacts> {
  try {
    const entries = await Promise.all(
      superfluidContractNames.map(
        async (name) =>
          [name, artifactSchema.parse(await readJson(path.join(cacheDir, `${name}.json`)))] as const,
      ),
    );
    const contracts = Object.fromEntries(entries) as Record<SuperfluidContractName, ContractArtifact>;
    const erc1820 = erc1820CacheSchema.parse(await readJson(path.join(cacheDir, erc1820CacheFile)));
    return { contracts, erc1820RegistryBytecode: erc1820.bytecode as Hex };
  } catch (error) {
    throw new Error(
      `The Superfluid artifacts cache ${cacheDir} is unreadable (${(error as Error).message}); delete it to rebuild it.`,
    );
  }
}

async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await fs.readFile(file, 'utf8'));
}
