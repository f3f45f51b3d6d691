import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

/** The repository root: source unit names are relative to it, so the metadata holds no machine paths. */
export const repositoryRoot = dirname(dirname(fileURLToPath(import.meta.url)));

/** The solc version the committed bytecode was built with; another version would change the bytes. */
export const expectedSolcVersion = '0.8.37';

export type CompiledContract = {
  name: string;
  source: string;
  abi: readonly unknown[];
  bytecode: `0x${string}`;
};

type SolcOutput = {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
};

type ImportResult = { contents: string } | { error: string };

/** solc-js ships `any` typings; these are the two calls used, as its documentation gives them. */
const compileStandardJson: (input: string, callbacks: { import: (path: string) => ImportResult }) => string =
  solc.compile;
const solcVersion: () => string = solc.version;

const openZeppelinRoot = dirname(
  createRequire(import.meta.url).resolve('@openzeppelin/contracts/package.json'),
);

/** Every contract with bytecode under contracts/, sorted by name; OpenZeppelin's are compiled, not emitted. */
export function compileContracts(): CompiledContract[] {
  const version = solcVersion();
  if (!version.startsWith(`${expectedSolcVersion}+`)) {
    throw new Error(`solc ${version} is installed; the contracts are built with ${expectedSolcVersion}`);
  }
  const sources = Object.fromEntries(
    listSolidityFiles(join(repositoryRoot, 'contracts')).map((file) => [
      relative(repositoryRoot, file).split(sep).join('/'),
      { content: readFileSync(file, 'utf8') },
    ]),
  );
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const output = JSON.parse(compileStandardJson(JSON.stringify(input), { import: readImport })) as SolcOutput;
  const problems = (output.errors ?? []).filter((error) => error.severity !== 'info');
  if (problems.length > 0) {
    throw new Error(`solc reported:\n${problems.map((error) => error.formattedMessage).join('\n')}`);
  }
  const compiled: CompiledContract[] = [];
  for (const [source, contracts] of Object.entries(output.contracts ?? {})) {
    if (!(source in sources)) continue;
    for (const [name, contract] of Object.entries(contracts)) {
      if (contract.evm.bytecode.object === '') continue;
      compiled.push({ name, source, abi: contract.abi, bytecode: `0x${contract.evm.bytecode.object}` });
    }
  }
  compiled.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const duplicate = compiled.find((contract, index) => compiled[index - 1]?.name === contract.name);
  if (duplicate) throw new Error(`two contracts are named ${duplicate.name}; each gets one module`);
  return compiled;
}

function listSolidityFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.sol'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** solc asks for every import it cannot find among the sources: only OpenZeppelin's are allowed. */
function readImport(path: string): ImportResult {
  const prefix = '@openzeppelin/contracts/';
  if (!path.startsWith(prefix)) return { error: `import outside contracts/ and @openzeppelin: ${path}` };
  try {
    return { contents: readFileSync(join(openZeppelinRoot, path.slice(prefix.length)), 'utf8') };
  } catch (error) {
    return { error: `cannot read ${path}: ${String(error)}` };
  }
}
