import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  circuitNames,
  releaseCurve,
  renderVerifier,
  staleCircuits,
  verifierSourcePath,
} from '../circuits/circuits';
import { compileContracts, repositoryRoot } from './compile';
import { renderContractModule } from './render-module';

/**
 * `npm run contracts:build` writes src/chain/contracts/<Name>.ts for every contract;
 * `npm run contracts:check` (in CI) compiles into memory and fails when the committed modules differ,
 * so the ABI and bytecode the app deploys are always the ones its sources compile to.
 * The zero-knowledge verifiers under contracts/verifiers/ are sources made from the circuits' keys
 * (circuits/build/*.zkey): the build writes them from the keys first, and the check also fails when
 * a verifier or a circuit no longer matches the committed keys.
 */
const outputDirectory = join(repositoryRoot, 'src', 'chain', 'contracts');

function expectedModules(): Map<string, string> {
  return new Map(
    compileContracts().map((contract) => [`${contract.name}.ts`, renderContractModule(contract)]),
  );
}

function committedModules(): Map<string, string> {
  let names: string[];
  try {
    names = readdirSync(outputDirectory).filter((name) => name.endsWith('.ts'));
  } catch {
    names = [];
  }
  return new Map(names.sort().map((name) => [name, readFileSync(join(outputDirectory, name), 'utf8')]));
}

async function expectedVerifiers(): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  for (const circuit of circuitNames) sources.set(verifierSourcePath(circuit), await renderVerifier(circuit));
  await releaseCurve();
  return sources;
}

async function build(): Promise<void> {
  for (const [path, source] of await expectedVerifiers()) writeFileSync(path, source);
  const expected = expectedModules();
  mkdirSync(outputDirectory, { recursive: true });
  for (const name of committedModules().keys()) {
    if (!expected.has(name)) rmSync(join(outputDirectory, name));
  }
  for (const [name, text] of expected) writeFileSync(join(outputDirectory, name), text);
  console.log(`wrote ${expected.size} modules to ${relative(repositoryRoot, outputDirectory)}`);
}

async function check(): Promise<void> {
  const differences: string[] = [];
  for (const stale of staleCircuits()) differences.push(`circuit ${stale}: run \`npm run circuits:setup\``);
  for (const [path, source] of await expectedVerifiers()) {
    let committedSource: string | undefined;
    try {
      committedSource = readFileSync(path, 'utf8');
    } catch {
      committedSource = undefined;
    }
    if (committedSource !== source)
      differences.push(`not the verifier of its circuit's key: ${relative(repositoryRoot, path)}`);
  }
  const expected = expectedModules();
  const committed = committedModules();
  for (const [name, text] of expected) {
    const current = committed.get(name);
    if (current === undefined) differences.push(`missing: ${name}`);
    else if (current !== text) differences.push(`differs from its sources: ${name}`);
  }
  for (const name of committed.keys()) {
    if (!expected.has(name)) differences.push(`no contract compiles to: ${name}`);
  }
  if (differences.length > 0) {
    const where = relative(repositoryRoot, outputDirectory);
    console.error(`contracts:check failed in ${where}:\n  ${differences.join('\n  ')}`);
    console.error('Run `npm run contracts:build` and commit the result.');
    process.exit(1);
  }
  console.log(`contracts:check: ${expected.size} modules match their sources`);
}

if (process.argv.includes('--check')) await check();
else await build();
